-- Synthetic responses g = :lo … :hi of a set of :total starting at g = :g0, stored as the service stores them
-- (every NOT NULL column filled, flags as the ingest rules would set them), and queued for aggregation when :queue.
--   tap time: local day :'day0' + floor((g - g0) × :span ÷ total), uniformly within 07:30–17:00 in :'zone', so seq
--             order follows time order, as it does in production
--   92 % kiosk-3 on the officer's counter kiosk: levels 3/2/1 = 62/28/10 %, 70 % of level-1 ratings give one
--             "4 xin, 4 luôn" reason; flags: 80 % no_dossier, 12 % none (dossier code given), 4 % no_dossier +
--             rapid_repeat, 2 % duplicate_dossier, 1 % no_dossier + outside_hours, 1 % no_dossier + late
--    8 % sipas-5 web surveys: one criterion of each of the five elements, levels 1–5 = 5/5/10/35/45 %;
--             half name an officer; 60 % give a dossier code, 40 % no_dossier
\set ON_ERROR_STOP on
SELECT id AS qk FROM questionnaires WHERE code = 'kiosk-3' ORDER BY version DESC LIMIT 1 \gset
SELECT id AS qs FROM questionnaires WHERE code = 'sipas-5' ORDER BY version DESC LIMIT 1 \gset
SELECT setseed(:seed);
WITH src AS (
    SELECT g, floor(random() * 10000)::integer AS k, random() AS rq, random() AS rl, random() AS rf, random() AS rr,
           random() AS rt, random() AS ro
    FROM generate_series(:lo::bigint, :hi::bigint) AS g
), shaped AS (
    SELECT s.*, o.officer_id, o.badge, o.agency_id, o.counter_id, o.kiosk_id, s.rq < 0.92 AS kiosk,
           ((:'day0'::date + ((s.g - :g0) * :span / :total)::integer) + time '07:30'
               + s.rt * interval '9 hours 30 minutes') AT TIME ZONE :'zone' AS tap,
           CASE WHEN s.rl < 0.62 THEN 3 WHEN s.rl < 0.90 THEN 2 ELSE 1 END AS level
    FROM src s JOIN bench.officers o ON o.k = s.k
), stored AS (
    INSERT INTO responses (id, questionnaire_id, agency_id, counter_id, officer_id, officer_badge, kiosk_id, channel,
        dossier_code, answers, comment, submitted_at, received_at, flags, request_hash)
    SELECT gen_random_uuid(),
        CASE WHEN kiosk THEN :qk ELSE :qs END,
        agency_id,
        CASE WHEN kiosk THEN counter_id END,
        CASE WHEN kiosk OR ro < 0.5 THEN officer_id END,
        CASE WHEN kiosk OR ro < 0.5 THEN badge END,
        CASE WHEN kiosk THEN kiosk_id END,
        CASE WHEN kiosk THEN 'kiosk' ELSE 'web' END,
        CASE WHEN kiosk THEN (CASE WHEN rf >= 0.80 AND rf < 0.92 THEN 'HS-' || g
                                   WHEN rf >= 0.96 AND rf < 0.98 THEN 'HS-' || (g - 1) END)
             WHEN rf < 0.6 THEN 'HS-' || g END,
        CASE WHEN kiosk THEN
                CASE WHEN level = 1 AND ro < 0.7 THEN jsonb_build_object('overall', level, 'reasons', jsonb_build_array(
                         (ARRAY['xin_chao', 'xin_loi', 'xin_cam_on', 'xin_phep', 'luon_mim_cuoi', 'luon_nhe_nhang',
                                'luon_lang_nghe', 'luon_giup_do', 'khac'])[1 + floor(rr * 9)::integer]))
                     ELSE jsonb_build_object('overall', level) END
             ELSE jsonb_build_object(
                'tiep_can.' || (1 + floor(rr * 4)::integer), (ARRAY[1,2,3,3,4,4,4,4,4,4,4,5,5,5,5,5,5,5,5,5])[1 + floor(random() * 20)::integer],
                'thu_tuc.' || (1 + floor(rt * 4)::integer), (ARRAY[1,2,3,3,4,4,4,4,4,4,4,5,5,5,5,5,5,5,5,5])[1 + floor(random() * 20)::integer],
                'cong_chuc.' || (1 + floor(rl * 5)::integer), (ARRAY[1,2,3,3,4,4,4,4,4,4,4,5,5,5,5,5,5,5,5,5])[1 + floor(random() * 20)::integer],
                'ket_qua.' || (1 + floor(ro * 3)::integer), (ARRAY[1,2,3,3,4,4,4,4,4,4,4,5,5,5,5,5,5,5,5,5])[1 + floor(random() * 20)::integer],
                'pakn.' || (1 + floor(rq * 3)::integer), (ARRAY[1,2,3,3,4,4,4,4,4,4,4,5,5,5,5,5,5,5,5,5])[1 + floor(random() * 20)::integer])
        END,
        CASE WHEN kiosk AND level = 1 AND ro >= 0.9 THEN 'Chờ hơi lâu, cán bộ không hướng dẫn'
             WHEN NOT kiosk AND ro < 0.05 THEN 'Thủ tục còn rườm rà' END,
        tap,
        tap + CASE WHEN kiosk AND rf >= 0.99 THEN interval '2 days' ELSE interval '1 second' * (1 + rr * 2) END,
        CASE WHEN kiosk THEN (CASE WHEN rf < 0.80 THEN '{no_dossier}' WHEN rf < 0.92 THEN '{}'
                                   WHEN rf < 0.96 THEN '{no_dossier,rapid_repeat}' WHEN rf < 0.98 THEN '{duplicate_dossier}'
                                   WHEN rf < 0.99 THEN '{no_dossier,outside_hours}' ELSE '{late,no_dossier}' END)::text[]
             WHEN rf < 0.6 THEN '{}'::text[] ELSE '{no_dossier}'::text[] END,
        sha256(int8send(g))
    FROM shaped
    ORDER BY g
    RETURNING seq
)
INSERT INTO pending_aggregation (seq) SELECT seq FROM stored WHERE :queue;
