use super::*;
use crate::source::FileId;
use crate::syntax::ast::Item;

/// A column type as a policy writes it (also for the workbook reader's tests).
pub(super) fn ty(name: &str) -> TypeExpr {
    TypeExpr {
        set_depth: 0,
        name: Ident { name: name.into(), span: Span::default() },
        optional: false,
        span: Span::default(),
    }
}

/// The rows read from `text` by `reader`, which found nothing wrong.
fn ok(text: &str, reader: impl Fn(&str) -> Rows) -> Vec<Item> {
    let rows = reader(text);
    assert!(rows.1.is_empty(), "{:?}", rows.1);
    rows.0.to_items(text)
}

#[test]
fn csv_cells_follow_their_column_types() {
    let (int, cat) = (ty("整数"), ty("事项类别"));
    let cols = [Column { name: "频次", ty: Some(&int) }, Column { name: "类别", ty: Some(&cat) }];
    let items = ok("编号,频次,类别\nA1,4,政策宣传\nA2,,应急处置\n", |t| {
        csv_rows(t, FileId(1), "编号", &cols)
    });
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].key.value, KeyValue::Text("A1".into()));
    assert_eq!(items[0].fields[0].value.kind, ExprKind::Int(4));
    assert_eq!(items[1].fields.len(), 1, "an empty cell is an absent value");
    let (_, errs) = csv_rows("编号,频次\nA1,四\n", FileId(1), "编号", &cols);
    assert_eq!(errs[0].code, Code::E0122);
    assert_eq!(errs[0].span.start, "编号,频次\nA1,".len() as u32);
    // After a blank line, in a file with quotes (read through the csv crate) and without:
    // the bad cell's line and span are its own, not the blank line's.
    for text in ["编号,频次\n\r\n\"A1\",四\n", "编号,频次\n\r\nA1,四\n"] {
        let (_, errs) = csv_rows(text, FileId(1), "编号", &cols);
        assert!(errs[0].message.zh.contains("第 3 行"), "{text:?}: {}", errs[0].message.zh);
        let start = errs[0].span.start as usize;
        assert_eq!(text[..start].matches('\n').count(), 2, "{text:?}: the span starts on line 3");
    }
}

#[test]
fn every_bad_cell_of_a_csv_file_is_reported_in_one_run_with_its_address() {
    let (int, date) = (ty("整数"), ty("日期"));
    let cols = [Column { name: "频次", ty: Some(&int) }, Column { name: "起始", ty: Some(&date) }];
    let text = "编号,频次,起始\nA1,四,2024-01-01\nA2,2,明天\n,3,2024-02-01\nA4,1\nA5,1,2024-01-01,多\nA6,6,2024-03-01\n";
    let (rows, errs) = csv_rows(text, FileId(1), "编号", &cols);
    let items = rows.to_items(text);
    let kept: Vec<&KeyValue> = items.iter().map(|i| &i.key.value).collect();
    let text_keys = ["A4", "A5", "A6"].map(|k| KeyValue::Text(k.into()));
    assert_eq!(
        kept,
        text_keys.iter().collect::<Vec<_>>(),
        "rows with a bad cell are left out; ragged ones keep their cells"
    );
    let messages: Vec<&str> = errs.iter().map(|d| d.message.zh.as_str()).collect();
    assert_eq!(errs.len(), 5, "{messages:#?}");
    assert!(messages[0].starts_with("第 2 行第 2 列（B2）：数据 `四` 不是整数"), "{}", messages[0]);
    assert!(messages[1].starts_with("第 3 行第 3 列（C3）"), "{}", messages[1]);
    assert!(
        messages[2].contains("第 4 行第 1 列（A4）") && messages[2].contains("键列 `编号` 是空的"),
        "{}",
        messages[2]
    );
    assert!(messages[3].starts_with("第 5 行：这一行有 2 格，表头有 3 列"), "{}", messages[3]);
    assert!(messages[4].starts_with("第 6 行第 4 列（D6）"), "{}", messages[4]);
    assert!(errs.iter().all(|d| !d.message.zh.is_ascii()));
}

#[test]
fn csv_errors_of_the_csv_crate_are_told_in_chinese_too() {
    // An unterminated quote is not an error for the csv crate; a repeated header is ours.
    let (_, errs) = csv_rows("编号,编号\nA1,A2\n", FileId(1), "编号", &[]);
    assert_eq!(errs.len(), 1);
    assert!(errs[0].message.zh.contains("表头 `编号` 出现了两次"), "{}", errs[0].message.zh);
    let (_, errs) = csv_rows("代码,名称\nA1,甲\n", FileId(1), "编号", &[]);
    assert!(errs[0].message.zh.contains("表头里没有键列 `编号`"), "{}", errs[0].message.zh);
}

#[test]
fn csv_files_in_gbk_and_with_a_bom_read_the_same() {
    let utf8 = "编号,名称\nA1,走访慰问\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(utf8);
    let (decoded, enc) = decode_csv(&gbk).expect("GBK decodes");
    assert_eq!((decoded.as_str(), enc), (utf8, csv::CsvEncoding::Gb18030));
    let bom = format!("\u{feff}{utf8}");
    let (decoded, enc) = decode_csv(bom.as_bytes()).expect("UTF-8 with BOM");
    assert_eq!(enc, csv::CsvEncoding::Utf8Bom);
    let items = ok(&decoded, |t| csv_rows(t, FileId(1), "编号", &[]));
    assert_eq!(items[0].key.value, KeyValue::Text("A1".into()));
    assert_eq!(items[0].key.span.start as usize, bom.find("A1").expect("A1"), "spans count the BOM");
    assert!(decode_csv(&[0x81, 0x20]).is_none(), "neither UTF-8 nor GB18030");
}

#[test]
fn day_numbers_in_date_columns_of_sheets_are_dates() {
    assert_eq!(date_from_serial("45292").map(|d| d.to_string()), Some("2024-01-01".into()));
    assert_eq!(date_from_serial("45292.0").map(|d| d.to_string()), Some("2024-01-01".into()));
    assert_eq!(date_from_serial("3000000"), None);
    assert_eq!(column_letters(0), "A");
    assert_eq!(column_letters(25), "Z");
    assert_eq!(column_letters(26), "AA");
    assert_eq!(column_letters(16_383), "XFD");
}

#[test]
fn empty_cells_of_required_sets_are_empty_sets() {
    let set = TypeExpr { set_depth: 1, ..ty("文本") };
    let optional = TypeExpr { optional: true, ..set.clone() };
    let cols = [Column { name: "关键词", ty: Some(&set) }, Column { name: "备注", ty: Some(&optional) }];
    let items =
        ok("- 编号: B1\n  关键词: []\n  备注: []\n", |t| yaml_rows(t, FileId(1), "编号", &cols));
    let fields = &items[0].fields;
    assert_eq!(fields.len(), 1, "an empty optional set is absent");
    assert_eq!(fields[0].value.kind, ExprKind::Set(Vec::new()));
}

#[test]
fn yaml_rows_locate_their_fields() {
    let text = "- 编号: B1\n  名称: 走访\n- 编号: B2\n  名称: 宣传\n";
    let items = ok(text, |t| yaml_rows(t, FileId(1), "编号", &[]));
    assert_eq!(items.len(), 2);
    let name_span = items[1].fields[0].span;
    assert_eq!(&text[name_span.range()], "名称: 宣传");
    assert!(!yaml_rows("a: 1", FileId(1), "编号", &[]).1.is_empty());
}

#[test]
fn yaml_rows_may_start_with_a_byte_order_mark() {
    let text = "\u{feff}- 编号: A1\n  名称: 甲\n- 编号: A2\n  名称: 乙\n";
    let items = ok(text, |t| yaml_rows(t, FileId(1), "编号", &[]));
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].key.value, KeyValue::Text("A1".into()));
    let second = text.find("- 编号: A2").expect("second row");
    assert_eq!(items[1].span.start as usize, second, "spans still point into the file as written");
    let name = text.find("名称: 甲").expect("a field");
    assert_eq!(items[0].fields[0].span.start as usize, name);
}

/// Rows from files are kept as cells and read again when asked for: what is read again is
/// what the cells say (quoted commas and quotes, dates, sets, per-row names in YAML), and
/// each row's key, dates and span, kept aside, are the read row's.
#[test]
fn rows_kept_compact_read_again_as_written() {
    let set = TypeExpr { set_depth: 1, ..ty("文本") };
    let cols = [Column { name: "名称", ty: None }, Column { name: "配合", ty: Some(&set) }];
    let text = "编号,名称,配合,施行日期\nA1,\"走访, 慰问\"\"老人\"\"\",甲;乙,2025-01-01\nA2,巡查,,\n";
    let (rows, errs) = csv_rows(text, FileId(3), "编号", &cols);
    assert!(errs.is_empty(), "{errs:?}");
    let items = rows.to_items(text);
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].fields[0].value.kind, ExprKind::Text("走访, 慰问\"老人\"".into()));
    assert!(matches!(&items[0].fields[1].value.kind, ExprKind::Set(s) if s.len() == 2));
    assert_eq!(items[1].fields.len(), 2, "an empty required set is the empty set: {:?}", items[1].fields);
    let heads = |rows: &FileRows, text: &str| -> Vec<_> {
        ListRows::File(rows, text).heads().map(|h| (h.key().into_owned(), h.in_force, h.span)).collect()
    };
    let read =
        |items: &[Item]| -> Vec<_> { items.iter().map(|i| (i.key.clone(), i.in_force, i.span)).collect() };
    assert_eq!(heads(&rows, text), read(&items));
    let dates = heads(&rows, text);
    assert!(dates[0].1.is_some_and(|v| v.from.is_some()) && dates[1].1.is_none());
    // Integer keys, written with spaces or as a workbook's float, and a quoted key.
    let int = ty("整数");
    let text = "名称,编号,废止日期
甲, 7 ,
乙,8.0,2026-01-01
丙,\"9\",
";
    let (rows, errs) = csv_rows(text, FileId(3), "编号", &[Column { name: "编号", ty: Some(&int) }]);
    assert!(errs.is_empty(), "{errs:?}");
    let items = rows.to_items(text);
    assert_eq!(items.iter().map(|i| i.key.value.clone()).collect::<Vec<_>>(), [7, 8, 9].map(KeyValue::Int));
    assert_eq!(heads(&rows, text), read(&items));

    // YAML rows name their own fields, in any order: the names of cells out of their
    // header's place are kept, from a row's first cell or from one in the middle of a row.
    let yaml = "- 编号: B1\n  名称: 甲\n- 名称: 乙\n  编号: B2\n  备注: 新\n";
    let (rows, errs) = yaml_rows(yaml, FileId(4), "编号", &[]);
    assert!(errs.is_empty(), "{errs:?}");
    let items = rows.to_items(yaml);
    let names: Vec<Vec<&str>> =
        items.iter().map(|i| i.fields.iter().map(|f| f.name.name.as_str()).collect()).collect();
    assert_eq!(names, [vec!["名称"], vec!["名称", "备注"]]);
    let at = |s: Span| &yaml[s.start as usize..s.end as usize];
    assert!(at(items[1].fields[1].name.span).contains("备注"), "{}", at(items[1].fields[1].name.span));
    let yaml = "- 编号: C1\n  名称: 甲\n- 编号: C2\n  备注: 新\n  名称: 乙\n- 编号: C3\n  名称: 丙\n";
    let (rows, errs) = yaml_rows(yaml, FileId(4), "编号", &[]);
    assert!(errs.is_empty(), "{errs:?}");
    let fields: Vec<Vec<(String, String)>> = rows
        .to_items(yaml)
        .iter()
        .map(|i| i.fields.iter().map(|f| (f.name.name.clone(), format!("{:?}", f.value.kind))).collect())
        .collect();
    let field = |n: &str, v: &str| (n.to_string(), format!("{:?}", ExprKind::Text(v.into())));
    assert_eq!(
        fields,
        [
            vec![field("名称", "甲")],
            vec![field("备注", "新"), field("名称", "乙")],
            vec![field("名称", "丙")]
        ]
    );
}
