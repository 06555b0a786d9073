-- sqlite3's shell running SQL: tables, indexes, joins, aggregates, recursive
-- CTEs, window functions, JSON, triggers, transactions; deterministic output.
.headers on
.mode list
CREATE TABLE dept(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE emp(id INTEGER PRIMARY KEY, name TEXT, dept INTEGER REFERENCES dept(id), salary REAL, hired TEXT);
INSERT INTO dept(name) VALUES ('eng'), ('ops'), ('sales');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
INSERT INTO emp(name, dept, salary, hired)
  SELECT printf('emp%04d', i), 1 + i % 3, 1000 + (i * 7919) % 5000, date('2020-01-01', '+' || (i % 1000) || ' days') FROM n;
CREATE INDEX emp_dept ON emp(dept, salary);
SELECT d.name, count(*), round(avg(e.salary), 2), min(e.hired), max(e.hired)
  FROM emp e JOIN dept d ON d.id = e.dept GROUP BY d.name ORDER BY d.name;
SELECT name, salary, rank() OVER (PARTITION BY dept ORDER BY salary DESC, id) AS r
  FROM emp WHERE id % 997 = 0 ORDER BY id;
SELECT sum(salary), total(salary) / count(*), group_concat(name, '|') FROM (SELECT * FROM emp ORDER BY salary DESC, id LIMIT 5);
WITH RECURSIVE fib(a, b, k) AS (SELECT 0, 1, 0 UNION ALL SELECT b, a + b, k + 1 FROM fib WHERE k < 80)
SELECT max(a), count(*) FROM fib;
SELECT json_object('n', 1, 'arr', json_array(1, 2.5, 'x', NULL)), json_extract('{"a":{"b":[10,20]}}', '$.a.b[1]');
SELECT upper('straße'), lower('ÄBC'), length('héllo'), substr('abcdef', -3, 2), instr('hello', 'll'),
       replace('a-b-c', '-', '+'), trim('  x  '), hex(x'00ff'), quote('it''s'), typeof(1), typeof(1.0), typeof('1');
SELECT 7 / 2, 7 % 3, 7 / 2.0, -7 / 2, 1 << 62, abs(-9223372036854775807), cast('12abc' AS INTEGER), round(2.675, 2);
CREATE TABLE log(msg TEXT);
CREATE TRIGGER emp_del AFTER DELETE ON emp BEGIN INSERT INTO log VALUES ('deleted ' || old.name); END;
BEGIN;
DELETE FROM emp WHERE id IN (10, 20, 30);
SAVEPOINT sp;
DELETE FROM emp WHERE dept = 2;
ROLLBACK TO sp;
COMMIT;
SELECT count(*) FROM emp;
SELECT * FROM log ORDER BY msg;
SELECT name FROM emp WHERE name LIKE 'emp49%' AND name GLOB '*9?' ORDER BY name DESC LIMIT 3;
EXPLAIN QUERY PLAN SELECT * FROM emp WHERE dept = 2 AND salary > 3000;
PRAGMA integrity_check;
.mode csv
SELECT id, name, salary FROM emp WHERE id BETWEEN 100 AND 103;
