-- MySQL dump 10.13  Distrib 5.5.46, for debian-linux-gnu (x86_64)
--
-- Host: db.internal    Database: learninglodge
-- ------------------------------------------------------
-- Server version	5.5.46-0+deb7u1

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;
/*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */;
/*!40101 SET NAMES utf8 */;
/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;
/*!40103 SET TIME_ZONE='+00:00' */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
/*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */;

--
-- Table structure for table `parents`
--

DROP TABLE IF EXISTS `parents`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8 */;
CREATE TABLE `parents` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `email` varchar(255) NOT NULL,
  `password` char(32) NOT NULL,
  `secret_question` varchar(255) DEFAULT NULL,
  `secret_answer` varchar(255) DEFAULT NULL,
  `first_name` varchar(64) NOT NULL,
  `last_name` varchar(64) NOT NULL,
  `address` varchar(255) DEFAULT NULL,
  `city` varchar(64) DEFAULT NULL,
  `country` varchar(64) NOT NULL,
  `ip` varchar(45) NOT NULL,
  `created_at` datetime NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `parents`
--

LOCK TABLES `parents` WRITE;
/*!40000 ALTER TABLE `parents` DISABLE KEYS */;
INSERT INTO `parents` VALUES (1,'chloe1@aol.com','0d107d09f5bbe40cade3de5c71e9e9b7','First school?','Jules Ferry','Chloe','Müller',NULL,NULL,'us','49.51.110.115','2014-01-01 02:59:34'),(2,'lea2@orange.fr','e563b447e807d2b343564c1a4b4f8750',NULL,NULL,'Léa','Peeters',NULL,NULL,'fr','150.241.95.236','2014-01-01 04:33:02'),(3,'chloe3@gmail.com','d0763edaa9d9bd2a9516280e9044d885',NULL,NULL,'Chloe','Brown',NULL,NULL,'US','73.204.30.59','2014-01-01 09:31:48'),(4,'lucas4@bt.com','d8578edf8458ce06fbc5bb76a58c5ca4',NULL,NULL,'Lucas','Taylor','33 High St','York','GB','203.74.19.229','2014-01-01 12:15:08'),(5,'jonas5@gmx.net','7bc49c5eaf62715cb50d00eab565ce64',NULL,NULL,'Jonas','Becker','Bahnhofstr. 18','Hamburg','DE','185.87.31.44','2014-01-01 13:50:05'),(6,'jack6@gmail.com','37b4e2d82900d5e94b8da524fbe