--
-- PostgreSQL database dump
--
SET standard_conforming_strings = on;
CREATE TABLE public.kids (
    id integer NOT NULL,
    name text,
    birthdate date,
    photo bytea
);
COPY public.kids (id, name, birthdate, photo) FROM stdin;
1	Zoé	2008-04-01	\\x89504e47
2	Noah\tTab	\N	\N
3	back\\slash	2010-01-02	\001\002
\.
INSERT INTO public.kids VALUES (4, E'esc\'aped\n', '2011-05-06', NULL);
CREATE FUNCTION f() RETURNS text AS $body$ SELECT ';'; $body$ LANGUAGE sql;
INSERT INTO "kids" ("id", "name") VALUES (5, 'it''s'), (6, 'semi;colon');
