//! The accept loop: HTTP/1.1 connections with every limit a public server needs (issue 12).
//!
//! `axum::serve` has no header-read timeout, no connection cap and no shutdown deadline: a
//! client that stops mid-headers is held forever and SIGTERM then never completes. Here:
//! - **header timeout**: a request's head must arrive within [`Limits::header_timeout`];
//!   hyper starts the same timer whenever a kept-alive connection waits for its next
//!   request, so it is also the idle keep-alive timeout;
//! - **body timeout** and **request timeout**: tower layers in [`crate::router`]
//!   (408 and 503);
//! - **connection cap**: at most [`Limits::max_connections`] open connections; the rest wait
//!   in the kernel's accept queue;
//! - **graceful shutdown with a deadline**: on the signal the listener closes, connections
//!   finish the request in flight and close; after [`Limits::shutdown_timeout`] whatever is
//!   left is dropped.
//!
//! HTTP/1.1 only: a reverse proxy speaks it to its upstream, and protocol sniffing (h2c)
//! would read the first bytes with no timeout at all.

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tower::ServiceExt;

/// The server's limits (`nilfiling serve --header-timeout …`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// A request's head (and a kept-alive connection's next request) must arrive within this.
    pub header_timeout: Duration,
    /// A request's body must arrive within this (else 408).
    pub body_timeout: Duration,
    /// A request still being handled after this answers 503 (its work is dropped: an open
    /// transaction rolls back).
    pub request_timeout: Duration,
    /// Open connections at most; more wait in the accept queue.
    pub max_connections: usize,
    /// After the stop signal, how long requests in flight may take before their connections
    /// are dropped.
    pub shutdown_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(15),
            body_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(60),
            max_connections: 1024,
            shutdown_timeout: Duration::from_secs(20),
        }
    }
}

/// Serves `router` on `listener` until `stop` completes, then shuts down within
/// [`Limits::shutdown_timeout`].
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    stop: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    tokio::pin!(stop);
    loop {
        // Reap finished connections so the set stays as small as the open ones.
        while connections.try_join_next().is_some() {}
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little, keep serving.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let service = router.clone().map_request(
            move |mut req: axum::extract::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            },
        );
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let watched = graceful.watch(connection);
        connections.spawn(async move {
            if let Err(e) = watched.await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    let open = graceful.count();
    if open > 0 {
        tracing::info!(open, "stopping: letting requests in flight finish");
    }
    if tokio::time::timeout(limits.shutdown_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            left = connections.len(),
            "shutdown deadline reached: closing the remaining connections"
        );
    }
    connections.shutdown().await;
    Ok(())
}
