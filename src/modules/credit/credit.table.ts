import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type MaybeTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface CreditRulebookTable {
  id: Generated<number>;
  city_id: number;
  version: number;
  /** jsonb: written as JSON text, read back parsed. */
  body: ColumnType<unknown, string, string>;
  published_at: Timestamp;
  published_by: number | null;
}

export interface CreditEventTable {
  id: Generated<number>;
  merchant_id: number;
  item_code: string;
  points: number;
  occurred_at: Timestamp;
  recorded_at: Timestamp;
  recorded_by: number | null;
  source: string;
  status: ColumnType<string, string | undefined, string>;
  evidence: ColumnType<string, string | undefined, string>;
  confirmed_by: number | null;
  confirmed_at: MaybeTimestamp;
  reply: string | null;
  replied_at: MaybeTimestamp;
  objection: string | null;
  objected_at: MaybeTimestamp;
  objection_outcome: string | null;
  objection_decided_at: MaybeTimestamp;
  objection_decided_by: number | null;
  objection_note: string | null;
  repair_commitment: string | null;
  repair_evidence: string | null;
  repair_applied_at: MaybeTimestamp;
  repair_outcome: string | null;
  repair_decided_at: MaybeTimestamp;
  repair_decided_by: number | null;
  repair_note: string | null;
  origin: string | null;
}

export interface MerchantCreditTable {
  merchant_id: number;
  score: number;
  stars: number;
  rulebook_id: number | null;
  under_objection: ColumnType<number, number | undefined, number>;
  risk_class: ColumnType<string, string | undefined, string>;
  computed_at: Timestamp;
}

export interface CreditStarHistoryTable {
  id: Generated<number>;
  merchant_id: number;
  at: Timestamp;
  score: number;
  stars: number;
  rulebook_id: number | null;
  cause: string;
}

export interface IntegrityPledgeTable {
  id: Generated<number>;
  merchant_id: number;
  rulebook_id: number | null;
  text_zh: string;
  text_en: string;
  signed_by: string;
  signed_on: string;
  signed_at: Timestamp;
  account_id: number | null;
  withdrawn_at: MaybeTimestamp;
  broken_at: MaybeTimestamp;
  broken_note: string | null;
}

export interface ComplaintTable {
  id: Generated<number>;
  reference: string;
  merchant_id: number;
  scale_id: number | null;
  sale_scale_id: number | null;
  sale_seq: number | null;
  district_id: number;
  market_id: number | null;
  consumer_name: string;
  consumer_phone: string;
  content: string;
  received_at: Timestamp;
  received_on: string;
  status: ColumnType<string, string | undefined, string>;
  accepted_on: string | null;
  refused_on: string | null;
  refusal_reason: string | null;
  mediation_ended_on: string | null;
  mediation_outcome: string | null;
  outcome_note: string | null;
  termination_notified_on: string | null;
  is_upheld: boolean | null;
  handled_by: number | null;
  credit_event_id: number | null;
}

export interface ComplaintMessageTable {
  id: Generated<number>;
  complaint_id: number;
  at: Timestamp;
  author: string;
  staff_id: number | null;
  body: string;
}

export interface PenaltyTable {
  id: Generated<number>;
  merchant_id: number;
  decision_no: string;
  violation: string;
  legal_basis: string;
  penalty_type: string;
  penalty_text: string;
  authority: string;
  decided_on: string;
  simple_procedure: ColumnType<boolean, boolean | undefined, boolean>;
  restriction_ends_on: string | null;
  recorded_by: number | null;
  recorded_at: Timestamp;
  repaired_on: string | null;
  credit_event_id: number | null;
}

/** The credit tables, and those of complaints and penalties that feed them (migration 0008). */
export interface CreditTables {
  credit_rulebook: CreditRulebookTable;
  credit_event: CreditEventTable;
  merchant_credit: MerchantCreditTable;
  credit_star_history: CreditStarHistoryTable;
  integrity_pledge: IntegrityPledgeTable;
  complaint: ComplaintTable;
  complaint_message: ComplaintMessageTable;
  penalty: PenaltyTable;
}
