//! A Word document as a package: the zip file of named parts that a `.docx` is. Read with
//! caps (parts, bytes) so that a zip bomb handed over as a template costs bounded memory;
//! written back part by part in the order read, so Word and WPS find what they expect.

use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// The most parts a template may have (Word's own have a dozen or two).
const MAX_PARTS: usize = 2_000;
/// The most bytes all parts may hold once unpacked.
const MAX_UNPACKED: u64 = 64 * 1024 * 1024;

#[derive(Clone)]
pub struct Package {
    parts: Vec<(String, Vec<u8>)>,
}

/// Why bytes are not a Word document.
#[derive(Debug, PartialEq, Eq)]
pub enum NotDocx {
    /// Not a zip file at all (a `.doc`, a PDF, a renamed text file).
    NotZip(String),
    /// A zip, but without `word/document.xml`.
    NoDocument,
    /// Encrypted, or compressed in a way we do not read.
    Unreadable(String),
    /// Over [`MAX_PARTS`] parts or [`MAX_UNPACKED`] bytes.
    TooLarge,
}

impl Package {
    pub fn new() -> Package {
        Package { parts: Vec::new() }
    }

    pub fn read(bytes: &[u8]) -> Result<Package, NotDocx> {
        let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| NotDocx::NotZip(e.to_string()))?;
        if zip.len() > MAX_PARTS {
            return Err(NotDocx::TooLarge);
        }
        let mut parts = Vec::with_capacity(zip.len());
        let mut budget = MAX_UNPACKED;
        for i in 0..zip.len() {
            let mut file = zip.by_index(i).map_err(|e| NotDocx::Unreadable(e.to_string()))?;
            if file.is_dir() {
                continue;
            }
            let name = file.name().map(|n| n.into_owned()).map_err(|e| NotDocx::Unreadable(e.to_string()))?;
            let mut data = Vec::new();
            // One byte over the budget tells a part that is too large, whatever its header says.
            let read = (&mut file).take(budget + 1).read_to_end(&mut data);
            read.map_err(|e| NotDocx::Unreadable(e.to_string()))?;
            if data.len() as u64 > budget {
                return Err(NotDocx::TooLarge);
            }
            budget -= data.len() as u64;
            parts.push((name, data));
        }
        let package = Package { parts };
        if package.part("word/document.xml").is_none() {
            return Err(NotDocx::NoDocument);
        }
        Ok(package)
    }

    pub fn part(&self, name: &str) -> Option<&[u8]> {
        self.parts.iter().find(|(n, _)| n == name).map(|(_, d)| d.as_slice())
    }

    pub fn part_names(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().map(|(n, _)| n.as_str())
    }

    /// Sets a part, replacing one of that name or adding it at the end.
    pub fn set_part(&mut self, name: &str, data: Vec<u8>) {
        match self.parts.iter_mut().find(|(n, _)| n == name) {
            Some(part) => part.1 = data,
            None => self.parts.push((name.to_string(), data)),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        // A fixed time stamp: the same notice written twice is the same bytes.
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default());
        for (name, data) in &self.parts {
            // Writing into memory cannot fail but for a name zip refuses; such a part is
            // one we read from a zip, so it was accepted once.
            if zip.start_file(name.as_str(), options).is_ok() {
                let _ = zip.write_all(data);
            }
        }
        zip.finish().map(Cursor::into_inner).unwrap_or_default()
    }
}

impl Default for Package {
    fn default() -> Self {
        Package::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_round_trip() {
        let mut p = Package::new();
        p.set_part("[Content_Types].xml", b"<Types/>".to_vec());
        p.set_part("word/document.xml", "<w:document>中</w:document>".as_bytes().to_vec());
        let bytes = p.to_bytes();
        assert_eq!(bytes, p.to_bytes(), "the same bytes each time");
        let back = Package::read(&bytes).expect("reads");
        assert_eq!(back.part("word/document.xml"), p.part("word/document.xml"));
    }

    #[test]
    fn what_is_not_a_docx_says_why() {
        assert!(matches!(Package::read(b"PK not really"), Err(NotDocx::NotZip(_))));
        assert!(matches!(Package::read(b"{\\rtf1 hello}"), Err(NotDocx::NotZip(_))));
        let mut p = Package::new();
        p.set_part("content.xml", b"<office/>".to_vec());
        assert_eq!(Package::read(&p.to_bytes()).err(), Some(NotDocx::NoDocument));
    }

    #[test]
    fn a_zip_bomb_is_refused_within_the_budget() {
        let mut p = Package::new();
        p.set_part("word/document.xml", b"<w:document/>".to_vec());
        // Zeros compress about a thousandfold: 70 MiB unpacked is ~70 KiB packed.
        p.set_part("word/media/big.bin", vec![0; (MAX_UNPACKED + 1024 * 1024) as usize]);
        assert_eq!(Package::read(&p.to_bytes()).err(), Some(NotDocx::TooLarge));
    }
}
