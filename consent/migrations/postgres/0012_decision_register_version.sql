-- Every decision names the register it was taken under (issue 9 item 1): the SHA-256 of the
-- register file, so an auditor can tell which rules were in force. Empty for earlier decisions.
ALTER TABLE decisions ADD COLUMN register_version TEXT NOT NULL DEFAULT '';
