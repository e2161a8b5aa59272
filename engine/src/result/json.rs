//! JSON text written by hand, byte for byte as `serde_json` writes it (the JavaScript host's
//! `JSON.stringify` writes the same bytes): strings escaped once, values typed as the
//! result model says (docs/result.schema.json).

use crate::ir::{Policy, Type};
use crate::value::{format_date, format_decimal, Value};

/// Appends `s` as a JSON string: `"` and `\` escaped, control characters as `\n`, `\t`, …
/// or `\u00XX`; everything else (Chinese included) as it is.
pub fn push_str(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            out.push_str(&format!("\\u{b:04x}"));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// `s` as a JSON string, for texts escaped once per policy.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_str(&mut out, s);
    out
}

/// `Some(s)` quoted, `None` as `null`.
pub fn quoted_or_null(s: Option<&str>) -> String {
    s.map_or_else(|| "null".to_string(), quoted)
}

/// Appends a value of type `ty` in the model's typing: bool as `true`/`false`, int as an
/// integer, decimal as a string of the engine's digits, date `"YYYY-MM-DD"`, text a
/// string, enum value its variant's name, row its key as a string, set an array in the
/// engine's order, absent `null`.
pub fn push_value(out: &mut String, p: &Policy, v: &Value, ty: &Type) {
    match (v, ty) {
        (Value::None, _) => out.push_str("null"),
        (v, Type::Opt(inner)) => push_value(out, p, v, inner),
        (Value::Bool(b), _) => out.push_str(if *b { "true" } else { "false" }),
        (Value::Int(i), _) => out.push_str(&i.to_string()),
        (Value::Dec(d), _) => {
            out.push('"');
            out.push_str(&format_decimal(*d));
            out.push('"');
        }
        (Value::Date(d), _) => {
            out.push('"');
            out.push_str(&format_date(*d));
            out.push('"');
        }
        (Value::Text(t), _) => push_str(out, t),
        (Value::Set(items), Type::Set(inner)) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_value(out, p, item, inner);
            }
            out.push(']');
        }
        // Enum values by variant name, rows by key: as the engine shows them.
        (v, ty) => push_str(out, &p.show(v, ty)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for s in ["plain", "中文“引号”", "a\"b\\c", "tab\tnew\nline\r", "\u{0}\u{1f}\u{8}\u{c}\u{7f}", "/</"]
        {
            assert_eq!(quoted(s), serde_json::to_string(s).expect("json"), "{s:?}");
        }
    }
}
