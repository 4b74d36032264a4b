import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface CodeKeyTable {
  kid: string;
  public_key: string;
  private_key_enc: string | null;
  created_at: Timestamp;
  retired_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface QrCodeTable {
  kind: string;
  subject_id: number;
  serial: number;
  kid: string;
  token: string;
  check_code: string;
  issued_on: string;
  issued_at: Timestamp;
  issued_by: number | null;
  revoked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  revoked_by: number | null;
}

export interface CodesTables {
  code_key: CodeKeyTable;
  qr_code: QrCodeTable;
}
