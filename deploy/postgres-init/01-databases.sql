-- Local development only (deploy/compose.yaml): one database per service and
-- one for the gateway, as in production. The postgres image runs this once,
-- on an empty data directory, as the POSTGRES_USER superuser.
CREATE DATABASE anju_projects;
CREATE DATABASE anju_relocation;
CREATE DATABASE anju_housing;
CREATE DATABASE anju_funding;
CREATE DATABASE anju_gateway;
