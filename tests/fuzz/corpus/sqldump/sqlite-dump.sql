PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE parents(id INTEGER PRIMARY KEY, email TEXT, password TEXT, avatar BLOB);
INSERT INTO parents VALUES(1,'ava@example.org','5f4dcc3b5aa765d61d8327deb882cf99',X'FFD8FFE0');
INSERT INTO parents VALUES(2,'b@example.org',NULL,x'');
/* a comment; with a semicolon */
-- another; comment
INSERT INTO `parents` (`id`,`email`) VALUES (3,'c@ex\'ample.org'),(4,"dq\"uote");
COMMIT;
