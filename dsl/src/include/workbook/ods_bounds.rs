//! The size an OpenDocument sheet unfolds to, counted before calamine unfolds it: a row or
//! cell written once may say it repeats (`number-rows-repeated="1000000"`), and calamine
//! materialises up to 100 million cells. Only cells with a value count; the repeated empty
//! rows LibreOffice writes to the sheet's end cost nothing.

use std::io::{BufReader, Cursor};

use quick_xml::events::{BytesStart, Event};

use super::{WorkbookError, MAX_AREA};
use crate::diag::msg;

pub(super) fn check(bytes: &[u8]) -> Result<(), WorkbookError> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(()); // calamine reports what is wrong with it
    };
    let Ok(content) = archive.by_name("content.xml") else {
        return Ok(());
    };
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(content));
    let mut buf = Vec::new();
    let mut rows_repeated = 1u64;
    let mut cells = 0u64;
    loop {
        let event = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(event) => event,
        };
        if let Event::Start(e) | Event::Empty(e) = &event {
            match e.local_name().as_ref() {
                "table-row" => rows_repeated = repeats(e, "table:number-rows-repeated"),
                "table-cell" if e.try_get_attribute("office:value-type").ok().flatten().is_some() => {
                    let columns = repeats(e, "table:number-columns-repeated");
                    cells = cells.saturating_add(rows_repeated.saturating_mul(columns));
                    if cells > MAX_AREA as u64 {
                        return Err(WorkbookError::TooLarge(msg(
                            format!("重复的行列展开后超过 {MAX_AREA} 个有值的单元格"),
                            format!("its repeated rows and columns unfold to more than {MAX_AREA} cells with values"),
                        )));
                    }
                }
                _ => {}
            }
        }
        buf.clear();
    }
}

fn repeats(e: &BytesStart<'_>, name: &str) -> u64 {
    let value = e.try_get_attribute(name).ok().flatten();
    value.and_then(|a| a.value.parse().ok()).unwrap_or(1).max(1)
}
