-- Details an entity's value alone cannot carry: the unit of a price (`kr 950,- pr. m2`), and for a place whose name
-- had no code on the document date, its last code and the code of what it became (Søgne 2025: 1018 → 4204).
ALTER TABLE entities ADD COLUMN per VARCHAR;
ALTER TABLE entities ADD COLUMN historical_code VARCHAR;
ALTER TABLE entities ADD COLUMN successor_code VARCHAR;
COMMENT ON COLUMN entities.per IS 'AMOUNT: the unit a price is per (m2, elev, time), else null';
COMMENT ON COLUMN entities.historical_code IS 'MUNICIPALITY/COUNTY with no code valid on the document date: the name''s last code';
COMMENT ON COLUMN entities.successor_code IS 'with historical_code: the code on the document date of what the place became (null after a split)';
