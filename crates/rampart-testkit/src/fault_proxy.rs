//! A fault-injecting TCP proxy on loopback, for fault tests and their benchmarks.
//!
//! It forwards every connection to one target until told otherwise:
//! - [`FaultProxy::cut`] closes every connection and refuses new ones (the listening
//!   socket is closed, so a connect gets `ECONNREFUSED`): what a client sees while its
//!   server restarts;
//! - [`FaultProxy::partition`] holds every byte in both directions and accepts new
//!   connections without forwarding anything: what a client sees while the network is
//!   broken (bytes already sent are delivered after the partition, as TCP retransmits
//!   them, unless the peer gave up);
//! - [`FaultProxy::heal`] forwards again (after a cut, on the same port).

use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the proxy does with traffic now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Forward.
    Pass,
    /// Close every connection, refuse new ones.
    Cut,
    /// Hold every byte; accept new connections but forward nothing.
    Partition,
}

/// A running proxy; dropping it closes its listener and every connection.
pub struct FaultProxy {
    addr: SocketAddr,
    mode: watch::Sender<Mode>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// Listens on `127.0.0.1:0` and forwards to `target`.
    pub async fn start(target: SocketAddr) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fault proxy on loopback");
        let addr = listener.local_addr().expect("the proxy's address");
        let (mode, rx) = watch::channel(Mode::Pass);
        let task = tokio::spawn(listen(listener, addr, target, rx));
        FaultProxy { addr, mode, task }
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The current mode.
    pub fn mode(&self) -> Mode {
        *self.mode.borrow()
    }

    /// Closes every connection and refuses new ones until [`heal`](Self::heal).
    pub fn cut(&self) {
        self.mode.send_replace(Mode::Cut);
    }

    /// Holds all traffic until [`heal`](Self::heal).
    pub fn partition(&self) {
        self.mode.send_replace(Mode::Partition);
    }

    /// Forwards again.
    pub fn heal(&self) {
        self.mode.send_replace(Mode::Pass);
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.mode.send_replace(Mode::Cut);
        self.task.abort();
    }
}

/// Waits while the mode is `Partition`; `false` once it is `Cut` (or the proxy is gone).
async fn wait_pass(mode: &mut watch::Receiver<Mode>) -> bool {
    loop {
        match *mode.borrow_and_update() {
            Mode::Pass => return true,
            Mode::Cut => return false,
            Mode::Partition => {}
        }
        if mode.changed().await.is_err() {
            return false;
        }
    }
}

async fn listen(
    mut listener: TcpListener,
    addr: SocketAddr,
    target: SocketAddr,
    mut mode: watch::Receiver<Mode>,
) {
    loop {
        if *mode.borrow_and_update() == Mode::Cut {
            // Refuse: no socket listens on the port until the cut ends.
            drop(listener);
            loop {
                if mode.changed().await.is_err() {
                    return;
                }
                if *mode.borrow_and_update() != Mode::Cut {
                    break;
                }
            }
            listener = rebind(addr).await;
            continue;
        }
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((client, _)) = accepted {
                    tokio::spawn(forward(client, target, mode.clone()));
                }
            }
            _ = mode.changed() => {}
        }
    }
}

/// The same port again (a client keeps its configured address across a restart).
async fn rebind(addr: SocketAddr) -> TcpListener {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match TcpListener::bind(addr).await {
            Ok(l) => return l,
            Err(e) if tokio::time::Instant::now() >= deadline => {
                panic!("the fault proxy cannot listen on {addr} again: {e}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

async fn forward(client: TcpStream, target: SocketAddr, mut mode: watch::Receiver<Mode>) {
    // During a partition the client's bytes wait in its socket; the target is reached
    // only once traffic passes again.
    if !wait_pass(&mut mode).await {
        return;
    }
    let Ok(server) = TcpStream::connect(target).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    let up = tokio::spawn(pump(cr, sw, mode.clone()));
    pump(sr, cw, mode).await;
    let _ = up.await;
}

/// Copies one direction while the mode is `Pass`; returns (dropping both halves, which
/// closes the connection once the other direction ends too) on end of stream, an error
/// or a cut.
async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, mut mode: watch::Receiver<Mode>) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        if !wait_pass(&mut mode).await {
            return;
        }
        let n = tokio::select! {
            r = from.read(&mut buf) => match r {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            },
            _ = mode.changed() => continue,
        };
        // Bytes read as a partition began are delivered after it (or dropped by a cut).
        if !wait_pass(&mut mode).await {
            return;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn echo() -> SocketAddr {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = l.accept().await {
                tokio::spawn(async move {
                    let mut b = [0u8; 64];
                    while let Ok(n) = s.read(&mut b).await {
                        if n == 0 || s.write_all(&b[..n]).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        addr
    }

    async fn roundtrip(s: &mut TcpStream, msg: &[u8]) -> Vec<u8> {
        s.write_all(msg).await.unwrap();
        let mut b = vec![0u8; msg.len()];
        s.read_exact(&mut b).await.unwrap();
        b
    }

    #[tokio::test]
    async fn cut_closes_and_refuses_then_heal_forwards_on_the_same_port() {
        let p = FaultProxy::start(echo().await).await;
        let mut s = TcpStream::connect(p.addr()).await.unwrap();
        assert_eq!(roundtrip(&mut s, b"one").await, b"one");
        p.cut();
        let mut b = [0u8; 8];
        let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut b))
            .await
            .expect("the cut closes the connection");
        assert!(matches!(n, Ok(0) | Err(_)));
        // Refused while cut (the listener is closed once the proxy sees the cut).
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while TcpStream::connect(p.addr()).await.is_ok() {
            assert!(tokio::time::Instant::now() < deadline, "still accepting");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        p.heal();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        let mut s = loop {
            if let Ok(s) = TcpStream::connect(p.addr()).await {
                break s;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "not listening again"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        assert_eq!(roundtrip(&mut s, b"two").await, b"two");
    }

    #[tokio::test]
    async fn a_partition_holds_bytes_and_delivers_them_after_heal() {
        let p = FaultProxy::start(echo().await).await;
        let mut s = TcpStream::connect(p.addr()).await.unwrap();
        assert_eq!(roundtrip(&mut s, b"a").await, b"a");
        p.partition();
        // Let the pumps see the mode before writing (a read already in progress would
        // deliver these bytes, but hold the answer, which is also a partition).
        tokio::task::yield_now().await;
        s.write_all(b"held").await.unwrap();
        let mut b = [0u8; 4];
        assert!(
            tokio::time::timeout(Duration::from_millis(300), s.read_exact(&mut b))
                .await
                .is_err(),
            "nothing passes a partition"
        );
        p.heal();
        tokio::time::timeout(Duration::from_secs(5), s.read_exact(&mut b))
            .await
            .expect("delivered after heal")
            .unwrap();
        assert_eq!(&b, b"held");
    }
}
