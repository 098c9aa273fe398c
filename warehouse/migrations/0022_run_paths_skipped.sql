-- Paths a run passed over because they are no documents to read: a folder's manifests, checksum lists and
-- metadata spreadsheets, READMEs, hidden files and folders (.DS_Store, ._name.pdf, .git), links, pipes, files that
-- could not be read. Counted with the run (0 for runs made before this column); `ingest` names each on stderr,
-- hidden ones in one count.
ALTER TABLE runs ADD COLUMN paths_skipped INTEGER DEFAULT 0;
