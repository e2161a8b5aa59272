//! Scalars read from a case's text, as the engine reads them (engine/src/cases/mod.rs, which
//! uses these): exact decimals, `YYYY-MM-DD` dates, and the helpers of the messages — user
//! text cut short, "did you mean" by edit distance over characters.

use crate::value::in_range;

/// Why a text is not a decimal of the engine's kind.
#[derive(Debug, PartialEq, Eq)]
pub enum DecimalError {
    NotANumber,
    /// Non-zero digits beyond the sixth after the point.
    TooPrecise,
    OutOfRange,
}

/// Parses a decimal exactly, from its text (never through a float): `12.50`, `-3`, `1.5e3`,
/// and, in strings, a leading `+`, scaled by 10^6. Trailing zeros beyond six decimals are
/// fine (`1.5000000` is exactly 1.5); any other digit there would need rounding, which a
/// rule must not see.
#[inline]
pub fn parse_decimal(text: &str) -> Result<i64, DecimalError> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (whole, frac) = match mantissa.split_once('.') {
        Some((w, f)) => (w, f),
        None => (mantissa, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || (mantissa.contains('.') && frac.is_empty()) {
        return Err(DecimalError::NotANumber);
    }
    let exponent: i64 = match exponent {
        None => 0,
        Some(e) => {
            let body = e.strip_prefix(['+', '-']).unwrap_or(e);
            if body.is_empty() || !digits(body) {
                return Err(DecimalError::NotANumber);
            }
            // Exponents beyond a few dozen are out of range (or all zeros) either way.
            let magnitude: i64 = if body.len() > 6 {
                1_000_000
            } else {
                body.parse().map_err(|_| DecimalError::NotANumber)?
            };
            if e.starts_with('-') {
                -magnitude
            } else {
                magnitude
            }
        }
    };
    // Significant digits only: leading zeros of the whole part and trailing zeros of the
    // fraction change nothing, and dropping them keeps long but exact texts in range.
    let whole = whole.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let mut sig: i128 = 0;
    for b in whole.bytes().chain(frac.bytes()) {
        sig = sig
            .checked_mul(10)
            .and_then(|s| s.checked_add(i128::from(b - b'0')))
            .ok_or(DecimalError::OutOfRange)?;
    }
    if sig == 0 {
        return Ok(0);
    }
    // value = sig × 10^(exponent − frac.len()); scaled = value × 10^6.
    let mut shift = exponent - frac.len() as i64 + 6;
    // `100e-8` is exactly 0.000001: zeros at the end of `sig` pay for a negative shift.
    while shift < 0 && sig % 10 == 0 {
        sig /= 10;
        shift += 1;
    }
    if shift < 0 {
        return Err(DecimalError::TooPrecise);
    }
    let factor =
        u32::try_from(shift).ok().and_then(|s| 10i128.checked_pow(s)).ok_or(DecimalError::OutOfRange)?;
    let scaled = sig.checked_mul(factor).ok_or(DecimalError::OutOfRange)?;
    let signed = if negative { -scaled } else { scaled };
    i64::try_from(signed).ok().and_then(in_range).ok_or(DecimalError::OutOfRange)
}

/// A date written exactly `YYYY-MM-DD`, as days since 1970-01-01 (a data file's `2024-7-1`
/// is more likely a typo than a date).
#[inline]
pub fn parse_date(b: &[u8]) -> Option<i32> {
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    let number = |from: usize, to: usize| b[from..to].iter().fold(0u32, |n, c| n * 10 + u32::from(c - b'0'));
    let (year, month, day) = (number(0, 4), number(5, 7), number(8, 10));
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day == 0 || day > days_in_month {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    i32::try_from(era * 146_097 + doe - 719_468).ok()
}

/// User text quoted in a message, cut so one bad value cannot make a huge message.
pub fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// The closest candidate, if it is close enough to be a likely misspelling: none for
/// one-character names, one edit for short names, about one in three characters for
/// longer ones (the front end's `closest`, dsl/src/check/suggest.rs).
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = name.chars().count();
    let limit = if len <= 1 { 0 } else { (len / 3).max(1) };
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (levenshtein(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// Edit distance over characters (one wrong Chinese character is one edit).
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j + 1] + 1).min(cur[j] + 1).min(prev[j] + usize::from(ca != *cb));
        }
        prev = cur;
    }
    prev[b.len()]
}
