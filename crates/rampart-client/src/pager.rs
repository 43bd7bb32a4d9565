//! Page-by-page reading of a collection or a search.

use crate::{decode, Client, Result};
use futures::stream::{self, Stream, TryStreamExt};
use rampart_api_types::ias::Page;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::marker::PhantomData;

/// Reads a collection (`GET`) or a search (`POST /search`, body re-sent for every page)
/// by `index`, until a short/empty page or `metadata.total_pages` is reached.
pub struct Pager<T> {
    client: Client,
    path: String,
    body: Option<Value>,
    size: u32,
    index: u64,
    done: bool,
    /// `metadata.total_data` of the last page read.
    total: Option<u64>,
    _t: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Pager<T> {
    pub(crate) fn new(client: Client, path: String, body: Option<Value>, size: u32) -> Self {
        Self {
            client,
            path,
            body,
            size,
            index: 0,
            done: false,
            total: None,
            _t: PhantomData,
        }
    }

    /// Page size (1–1000).
    pub fn size(mut self, size: u32) -> Self {
        self.size = size.clamp(1, 1000);
        self
    }

    /// `metadata.total_data` as of the last page read.
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// The next page, or `None` after the last one.
    pub async fn next_page(&mut self) -> Result<Option<Vec<T>>> {
        if self.done {
            return Ok(None);
        }
        let sep = if self.path.contains('?') { '&' } else { '?' };
        let path = format!("{}{sep}index={}&size={}", self.path, self.index, self.size);
        let method = if self.body.is_some() {
            Method::POST
        } else {
            Method::GET
        };
        let answer = self.client.send(method, &path, self.body.as_ref()).await?;
        let page: Page<T> = decode(&path, &answer.body)?;
        self.total = Some(page.metadata.total_data);
        self.index += 1;
        if page.data.is_empty()
            || (page.data.len() as u64) < self.size as u64
            || self.index >= page.metadata.total_pages
        {
            self.done = true;
        }
        if page.data.is_empty() {
            return Ok(None);
        }
        Ok(Some(page.data))
    }

    /// Every item of every page.
    pub async fn all(mut self) -> Result<Vec<T>> {
        let mut out = Vec::new();
        while let Some(mut page) = self.next_page().await? {
            out.append(&mut page);
        }
        Ok(out)
    }

    /// The first item, reading one page of one item.
    pub async fn first(self) -> Result<Option<T>> {
        let mut p = self.size(1);
        Ok(p.next_page().await?.and_then(|v| v.into_iter().next()))
    }

    /// The items as a stream, pages fetched as it is read.
    pub fn items(self) -> impl Stream<Item = Result<T>> {
        stream::try_unfold(self, |mut p| async move {
            Ok(p.next_page().await?.map(|page| (page, p)))
        })
        .map_ok(|page| stream::iter(page.into_iter().map(Ok)))
        .try_flatten()
    }
}
