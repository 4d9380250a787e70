CREATE TABLE `t` (`a` int, `b` text);
INSERT INTO `t` VALUES (1,0x414243),(2,b'0101'),(-3.5e2,'\0\Z\%');
COPY x FROM stdin;
1	2
