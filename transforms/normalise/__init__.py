"""Pure normalisers: Norwegian text in, canonical values out. No I/O, no global state."""
