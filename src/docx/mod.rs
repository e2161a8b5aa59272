//! Word documents (`.docx`): the package (a zip of XML parts), a small XML tree over its
//! parts, filling a template's `{{placeholders}}`, and writing a document from scratch.
//! No dependency reads or writes WordprocessingML for us: a template must come back with
//! everything the office put in it (letterhead, seal image, fonts), which a document
//! model that knows only some elements would drop. Files are written by `replace.rs`
//! (a temporary file beside the target, then a rename).

pub mod fill;
pub mod package;
pub mod write;
pub mod xml;

pub use package::{NotDocx, Package};
