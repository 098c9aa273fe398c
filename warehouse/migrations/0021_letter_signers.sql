-- Who signed a letter (after `Med vennlig hilsen`): people too, with their titles, for identity across documents.
ALTER TABLE letters ADD COLUMN signers STRUCT(name VARCHAR, title VARCHAR)[];
COMMENT ON COLUMN letters.signers IS 'the names and titles after the greeting (Med vennlig hilsen / Venleg helsing)';
