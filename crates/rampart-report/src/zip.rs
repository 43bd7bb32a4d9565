//! A minimal ZIP writer for the HTML report: one file, DEFLATE-compressed, fixed timestamp
//! (so the same input gives the same bytes).

use flate2::write::DeflateEncoder;
use flate2::Compression;
use std::io::Write;

/// 1980-01-01 00:00 in MS-DOS time/date: the archive carries no clock.
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = (1 << 5) | 1;

fn u16le(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn u32le(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}

/// A ZIP archive holding `data` as `name`. Falls back to storing when a size does not fit
/// the classic (non-ZIP64) format; such sizes are far beyond any report.
pub(crate) fn single_file(name: &str, data: &[u8]) -> Vec<u8> {
    let crc = crc32fast::hash(data);
    let mut enc = DeflateEncoder::new(Vec::new(), Compression::default());
    let deflated = enc.write_all(data).and_then(|_| enc.finish()).ok();
    let (method, body): (u16, &[u8]) = match &deflated {
        Some(d) if d.len() < data.len() => (8, d),
        _ => (0, data),
    };
    let size = u32::try_from(data.len()).unwrap_or(u32::MAX);
    let csize = u32::try_from(body.len()).unwrap_or(u32::MAX);
    let name_len = u16::try_from(name.len()).unwrap_or(u16::MAX);
    let name = &name.as_bytes()[..usize::from(name_len)];

    let mut out = Vec::with_capacity(body.len() + 128);
    // Local file header.
    u32le(&mut out, 0x0403_4b50);
    u16le(&mut out, 20); // version needed
    u16le(&mut out, 1 << 11); // flags: UTF-8 name
    u16le(&mut out, method);
    u16le(&mut out, DOS_TIME);
    u16le(&mut out, DOS_DATE);
    u32le(&mut out, crc);
    u32le(&mut out, csize);
    u32le(&mut out, size);
    u16le(&mut out, name_len);
    u16le(&mut out, 0);
    out.extend_from_slice(name);
    out.extend_from_slice(body);
    let cd_offset = u32::try_from(out.len()).unwrap_or(u32::MAX);
    // Central directory.
    u32le(&mut out, 0x0201_4b50);
    u16le(&mut out, 20); // version made by
    u16le(&mut out, 20);
    u16le(&mut out, 1 << 11);
    u16le(&mut out, method);
    u16le(&mut out, DOS_TIME);
    u16le(&mut out, DOS_DATE);
    u32le(&mut out, crc);
    u32le(&mut out, csize);
    u32le(&mut out, size);
    u16le(&mut out, name_len);
    u16le(&mut out, 0); // extra
    u16le(&mut out, 0); // comment
    u16le(&mut out, 0); // disk
    u16le(&mut out, 0); // internal attributes
    u32le(&mut out, 0o100644 << 16); // external attributes: a regular file
    u32le(&mut out, 0); // local header offset
    out.extend_from_slice(name);
    let cd_size = u32::try_from(out.len()).unwrap_or(u32::MAX) - cd_offset;
    // End of central directory.
    u32le(&mut out, 0x0605_4b50);
    u16le(&mut out, 0);
    u16le(&mut out, 0);
    u16le(&mut out, 1);
    u16le(&mut out, 1);
    u32le(&mut out, cd_size);
    u32le(&mut out, cd_offset);
    u16le(&mut out, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::DeflateDecoder;
    use std::io::Read;

    #[test]
    fn the_archive_holds_the_file_and_unzips() {
        let data = "<html>hello hello hello hello hello</html>".repeat(50);
        let z = single_file("report.html", data.as_bytes());
        assert_eq!(&z[..4], b"PK\x03\x04");
        assert_eq!(&z[30..41], b"report.html");
        let csize = u32::from_le_bytes([z[18], z[19], z[20], z[21]]) as usize;
        let mut out = String::new();
        DeflateDecoder::new(&z[41..41 + csize])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, data);
        assert_eq!(
            single_file("report.html", data.as_bytes()),
            z,
            "deterministic"
        );
        assert_eq!(&z[z.len() - 22..z.len() - 18], b"PK\x05\x06");
    }
}
