//! A small HTTP/1.1 load client for `tradeseg serve`: `clients` threads, each on one
//! keep-alive connection, post one record at a time until `requests` are done; every
//! answer's status and the time it took are kept. Shared by the load benchmark
//! (benches/serve_load.rs) and the test that the server answers many clients at once.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What a load run saw.
pub struct Load {
    /// Each request's latency, sorted.
    pub latencies: Vec<Duration>,
    /// Answers that were not 200, or connections that failed.
    pub errors: usize,
    /// The answers' bodies, for the first request of each client.
    pub samples: Vec<String>,
    pub elapsed: Duration,
}

impl Load {
    /// The latency below which `share` (0..1) of the requests were answered.
    pub fn percentile(&self, share: f64) -> Duration {
        let at =
            ((self.latencies.len() as f64 * share).ceil() as usize).clamp(1, self.latencies.len().max(1));
        self.latencies.get(at - 1).copied().unwrap_or_default()
    }
}

/// Posts `body(n)` to `path` `requests` times from `clients` connections.
pub fn run(
    addr: SocketAddr,
    path: &str,
    token: &str,
    clients: usize,
    requests: usize,
    body: impl Fn(usize) -> String + Sync,
) -> Load {
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    let results: Vec<(Vec<Duration>, usize, Option<String>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..clients)
            .map(|_| {
                let (next, body) = (&next, &body);
                scope.spawn(move || {
                    let (mut latencies, mut errors, mut sample) = (Vec::new(), 0, None);
                    let mut connection = None;
                    loop {
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        if n >= requests {
                            break;
                        }
                        let asked = Instant::now();
                        let answer = connection
                            .take()
                            .map_or_else(|| connect(addr), Ok)
                            .and_then(|stream| post(stream, addr, path, token, &body(n)));
                        match answer {
                            Ok((stream, 200, text)) => {
                                latencies.push(asked.elapsed());
                                sample.get_or_insert(text);
                                connection = Some(stream);
                            }
                            Ok((stream, _, _)) => {
                                errors += 1;
                                connection = Some(stream);
                            }
                            Err(_) => errors += 1,
                        }
                    }
                    (latencies, errors, sample)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or_default()).collect()
    });
    let elapsed = started.elapsed();
    let mut load = Load { latencies: Vec::new(), errors: 0, samples: Vec::new(), elapsed };
    for (latencies, errors, sample) in results {
        load.latencies.extend(latencies);
        load.errors += errors;
        load.samples.extend(sample);
    }
    load.latencies.sort();
    load
}

fn connect(addr: SocketAddr) -> std::io::Result<BufReader<TcpStream>> {
    let stream = TcpStream::connect(addr)?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    Ok(BufReader::new(stream))
}

/// One request on a kept-alive connection; the connection back, the status and the body.
fn post(
    mut stream: BufReader<TcpStream>,
    addr: SocketAddr,
    path: &str,
    token: &str,
    body: &str,
) -> std::io::Result<(BufReader<TcpStream>, u16, String)> {
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nX-Tradeseg-Token: {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.get_mut().write_all(request.as_bytes())?;
    let mut line = String::new();
    stream.read_line(&mut line)?;
    let status = line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut length = 0;
    loop {
        line.clear();
        if stream.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut answer = vec![0; length];
    stream.read_exact(&mut answer)?;
    Ok((stream, status, String::from_utf8_lossy(&answer).into_owned()))
}
