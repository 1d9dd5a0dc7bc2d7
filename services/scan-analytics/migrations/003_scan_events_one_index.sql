-- scan_events keeps one index, its primary key (the de-duplication by
-- eventId). The (qr_code_id, scanned_at) index served no query of the worker,
-- its rebuild or its replay: the read models answer per-QR questions, and
-- every scan paid one more B-tree insertion for it. A consumer that needs raw
-- events of one QR by time can add its own index.
DROP INDEX scan_events_qr_time;
