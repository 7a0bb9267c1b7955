//! The benchmark's I/O floor: reads a CSV export, touches every field of every record,
//! and writes the first column, on one thread. Whatever tradeseg does beyond this is the
//! cost of segmenting; `benches/run.sh` times both.
//!
//! It reads with the csv crate, the usual choice in Rust, or with `--simd` with simd-csv's
//! streaming reader, the faster parser tradeseg uses for most records.
//!
//!     cargo run --release --example io_floor -- customers.csv > ids.csv
//!     cargo run --release --example io_floor -- --simd customers.csv > ids.csv

use std::io::{BufWriter, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let simd = args.first().is_some_and(|a| a == "--simd");
    if simd {
        args.remove(0);
    }
    let path = args.first().ok_or("usage: io_floor [--simd] FILE.csv")?;
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut touched = 0usize;
    if simd {
        let file = std::fs::File::open(path)?;
        let mut reader = simd_csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(file);
        let mut record = simd_csv::ByteRecord::new();
        while reader.read_byte_record(&mut record)? {
            touched += record.iter().map(<[u8]>::len).sum::<usize>();
            out.write_all(record.get(0).unwrap_or_default())?;
            out.write_all(b"\n")?;
        }
    } else {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_path(path)?;
        let mut record = csv::ByteRecord::new();
        while reader.read_byte_record(&mut record)? {
            touched += record.iter().map(<[u8]>::len).sum::<usize>();
            out.write_all(record.get(0).unwrap_or_default())?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    eprintln!("{touched} bytes of fields");
    Ok(())
}
