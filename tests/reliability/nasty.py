"""Text meant to break things, shared by the API and the form fuzzers: empty and blank,
NUL characters, Unicode beyond Latin-1 and right-to-left marks, SQL and HTML, a huge field,
impossible dates and numbers no column holds."""

from __future__ import annotations

from hypothesis import strategies as st

NASTY_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\x00b",
            "1\x00",
            "Ünïcödé 🚀 日本語",
            "\u202eright-to-left",
            "'; DROP TABLE contacts; --",
            "' OR 1=1 --",
            "%",
            "_",
            "\\",
            "<script>x</script>",
            "x" * 100_000,
            "2030-13-45",
            "2030-02-30T25:61",
            "0000-00-00",
            "2030-W99",
            "1e309",
            "-1e309",
            "NaN",
            "-1",
            "0",
            "1.5",
            "²",
            "١٢٣",
            str(2**63),
            str(2**70),
            "9" * 5_000,
            "Ω≈ç√∫",
        ]
    ),
)
