-- The directory of the aggregation benchmark: one province (code :'province') with 1,000 agencies directly under it
-- (the two-level government of the 2025 reform: 30 provincial departments and 970 communes), 3 counters per agency,
-- 10 officers per agency (10,000), one kiosk per counter (3,000).
-- Also bench.officers: one row per officer with everything a synthetic response needs (k = 0 … 9,999).
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO agencies (code, name, kind) VALUES (:'province', 'Tỉnh Thử nghiệm', 'province');
INSERT INTO agencies (code, name, kind, parent_id)
SELECT CASE WHEN i <= 30 THEN format('%s.S%s', :'province', lpad(i::text, 2, '0'))
            ELSE format('%s.X%s', :'province', lpad((i - 30)::text, 3, '0')) END,
       CASE WHEN i <= 30 THEN format('Sở %s', i) ELSE format('UBND xã %s', i - 30) END,
       CASE WHEN i <= 30 THEN 'department' ELSE 'commune' END,
       (SELECT id FROM agencies WHERE code = :'province')
FROM generate_series(1, 1000) AS i;

INSERT INTO counters (agency_id, code, name)
SELECT a.id, 'Q' || q, 'Quầy ' || q
FROM agencies a CROSS JOIN generate_series(1, 3) AS q
WHERE a.parent_id = (SELECT id FROM agencies WHERE code = :'province')
ORDER BY a.id, q;

INSERT INTO officers (agency_id, counter_id, badge, name, title)
SELECT a.id, c.id, format('CB-%s', lpad(o::text, 2, '0')), format('Cán bộ %s.%s', a.id, o), 'Chuyên viên'
FROM agencies a CROSS JOIN generate_series(1, 10) AS o
JOIN counters c ON c.agency_id = a.id AND c.code = 'Q' || ((o - 1) % 3 + 1)
WHERE a.parent_id = (SELECT id FROM agencies WHERE code = :'province')
ORDER BY a.id, o;

INSERT INTO kiosks (agency_id, counter_id, label, token_hash)
SELECT c.agency_id, c.id, 'Kiosk ' || c.code, sha256(convert_to('bench-kiosk-' || c.id, 'UTF8'))
FROM counters c ORDER BY c.id;

UPDATE counters c SET on_duty_officer_id = (SELECT min(o.id) FROM officers o WHERE o.counter_id = c.id);

CREATE SCHEMA bench;
CREATE TABLE bench.officers AS
SELECT (row_number() OVER (ORDER BY o.id) - 1)::integer AS k, o.id AS officer_id, o.badge, o.agency_id,
       o.counter_id, k.id AS kiosk_id
FROM officers o JOIN kiosks k ON k.counter_id = o.counter_id;
ALTER TABLE bench.officers ADD PRIMARY KEY (k);
COMMIT;
ANALYZE agencies; ANALYZE counters; ANALYZE officers; ANALYZE kiosks; ANALYZE bench.officers;
SELECT (SELECT count(*) FROM agencies) AS agencies, (SELECT count(*) FROM counters) AS counters,
       (SELECT count(*) FROM officers) AS officers, (SELECT count(*) FROM kiosks) AS kiosks;
