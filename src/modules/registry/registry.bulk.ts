// Bulk writes for spreadsheet imports: see src/modules/imports.
export {};
