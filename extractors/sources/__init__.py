"""Where documents come from. Each source yields RawDocument records; none of them parses."""
