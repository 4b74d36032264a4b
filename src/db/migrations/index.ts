/**
 * Every migration, in order. Each is plain SQL that runs on PostgreSQL and PGlite alike and
 * never imports application code. Append only: a shipped migration is frozen.
 */
export const migrations: readonly string[] = ['20261123_0001_foundation.sql', '20261123_0002_imports.sql', '20261123_0003_pricing.sql', '20261123_0004_alerts.sql', '20261123_0005_ingest.sql', '20261123_0006_sale_index.sql', '20261123_0007_codes_feedback.sql', '20261123_0008_credit.sql', '20261123_0009_complaints.sql', '20261123_0010_market_row_touch.sql', '20261123_0011_merchant_credit_untouched.sql', '20261205_0101_alert_credit_event.sql', '20261205_0102_credit_rescore_speed.sql', '20261205_0103_complaint_pause.sql'];
