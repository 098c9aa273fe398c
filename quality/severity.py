"""The severities of a check, as GX and the warehouse store them: an `error` quarantines, a `warning` is
reported, an `info` is a finding."""

ERROR, WARNING, INFO = "error", "warning", "info"
