//! The benchmark's I/O floor: reads a CSV export, touches every field of every record,
//! and writes the first column, on one thread. Whatever tradeseg does beyond this is the
//! cost of segmenting; `benches/run.sh` times both.
//!
//!     cargo run --release --example io_floor -- customers.csv > ids.csv

use std::io::{BufWriter, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: io_floor FILE.csv")?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_path(path)?;
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut record = csv::ByteRecord::new();
    let mut touched = 0usize;
    while reader.read_byte_record(&mut record)? {
        touched += record.iter().map(<[u8]>::len).sum::<usize>();
        out.write_all(record.get(0).unwrap_or_default())?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    eprintln!("{touched} bytes of fields");
    Ok(())
}
