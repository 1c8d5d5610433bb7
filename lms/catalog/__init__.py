"""The catalog: imported courses and question banks, as immutable versions."""
