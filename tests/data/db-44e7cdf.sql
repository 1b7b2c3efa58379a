-- A database as Cluster Journey 44e7cdf left it (SQLite): one user, cli:maja, after a quick check.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE users (
	id VARCHAR(64) NOT NULL, 
	lang VARCHAR(8) NOT NULL, 
	timezone VARCHAR(64) NOT NULL, 
	state TEXT NOT NULL, 
	last_update BIGINT, 
	created FLOAT NOT NULL, 
	updated FLOAT NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO users VALUES('cli:maja','sv','Europe/Stockholm','{"lang":"sv","flow":"menu","state":"summary","mode":null,"index":0,"answers":{},"started":null,"last":{"why-motive":"yes","readiness-mandate":"partly","opportunities-targets":"no","strategy-approved":"yes","training-gaps":"yes","partners-shortlist":"partly","trust-shared-goals":"yes","projects-plan":"no","measure-kpis":"yes","sustain-contact":"yes"},"last_mode":"quick","last_completed":1796189004.1330934,"prior":null,"prior_position":null,"prior_completed":null,"done":[],"workshop":null}',NULL,1796189004.0536749363,1796189005.6152281761);
CREATE TABLE workshops (
	id INTEGER NOT NULL, 
	code VARCHAR(8) NOT NULL, 
	invite VARCHAR(16) NOT NULL, 
	title VARCHAR(200) NOT NULL, 
	owner VARCHAR(64) NOT NULL, 
	closed BOOLEAN NOT NULL, 
	created FLOAT NOT NULL, 
	results_chat BIGINT, 
	results_message BIGINT, 
	results_lang VARCHAR(8), 
	PRIMARY KEY (id), 
	UNIQUE (code), 
	UNIQUE (invite)
);
CREATE TABLE join_attempts (
	id INTEGER NOT NULL, 
	user_id VARCHAR(64) NOT NULL, 
	at FLOAT NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE assessments (
	id INTEGER NOT NULL, 
	user_id VARCHAR(64) NOT NULL, 
	mode VARCHAR(8) NOT NULL, 
	started FLOAT, 
	completed FLOAT NOT NULL, 
	answers TEXT NOT NULL, 
	percents TEXT NOT NULL, 
	position INTEGER, 
	PRIMARY KEY (id), 
	FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);
INSERT INTO assessments VALUES(1,'cli:maja','quick',1796189004.083376646,1796189004.133093357,'{"why-motive":["yes",1796189004.089],"readiness-mandate":["partly",1796189004.094],"opportunities-targets":["no",1796189004.1],"strategy-approved":["yes",1796189004.105],"training-gaps":["yes",1796189004.111],"partners-shortlist":["partly",1796189004.119],"trust-shared-goals":["yes",1796189004.123],"projects-plan":["no",1796189004.126],"measure-kpis":["yes",1796189004.13],"sustain-contact":["yes",1796189004.133]}','[100,50,0,100,100,50,100,0,100,100]',2);
CREATE TABLE reminders (
	id INTEGER NOT NULL, 
	user_id VARCHAR(64) NOT NULL, 
	chat_id BIGINT NOT NULL, 
	interval_days INTEGER NOT NULL, 
	due FLOAT NOT NULL, 
	state VARCHAR(12) NOT NULL, 
	claimed_at FLOAT, 
	attempts INTEGER DEFAULT '0' NOT NULL, 
	last_error TEXT, 
	sent_at FLOAT, 
	created FLOAT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (user_id), 
	FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE TABLE workshop_facilitators (
	workshop_id INTEGER NOT NULL, 
	user_id VARCHAR(64) NOT NULL, 
	PRIMARY KEY (workshop_id, user_id), 
	FOREIGN KEY(workshop_id) REFERENCES workshops (id) ON DELETE CASCADE
);
CREATE TABLE workshop_answers (
	id INTEGER NOT NULL, 
	workshop_id INTEGER NOT NULL, 
	participant VARCHAR(64) NOT NULL, 
	lang VARCHAR(8) NOT NULL, 
	step INTEGER, 
	challenges TEXT NOT NULL, 
	kinds TEXT NOT NULL, 
	sources TEXT NOT NULL, 
	support_from TEXT NOT NULL, 
	updated FLOAT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (workshop_id, participant), 
	FOREIGN KEY(workshop_id) REFERENCES workshops (id) ON DELETE CASCADE
);
CREATE INDEX ix_join_attempts_user_id ON join_attempts (user_id);
CREATE INDEX ix_assessments_user_id ON assessments (user_id);
CREATE INDEX reminders_due ON reminders (state, due);
CREATE INDEX ix_workshop_answers_workshop_id ON workshop_answers (workshop_id);
COMMIT;
