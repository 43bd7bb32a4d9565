//! The pagination contract: `index`/`size`/`sort`/`page-token` in, the envelope with
//! absolute links out (no `next` on the last page; an index past the end is empty).

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use base64::Engine as _;
use rampart_api_types::ias::{Link, Page, PageMetadata};
use rampart_query::ResourceType;
use rampart_store::ListRequest;
use serde::Deserialize;
use utoipa::IntoParams;

pub const DEFAULT_SIZE: u64 = 50;
pub const MAX_SIZE: u64 = 1000;

/// Paging query parameters of every collection.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    // Read as text so that a bad value gets the documented 422, not a bare
    // deserialisation error; documented as the integer it is.
    /// 0-based page index (default 0).
    #[param(value_type = Option<u64>, minimum = 0)]
    pub index: Option<String>,
    /// Page size, 1–1000 (default 50).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 1000)]
    pub size: Option<String>,
    /// Comma list of `field[,ASC|DESC]` terms using search-catalogue names.
    pub sort: Option<String>,
    /// Opaque token from a previous page's `metadata.page_token`.
    #[serde(rename = "page-token")]
    #[param(rename = "page-token")]
    pub page_token: Option<String>,
}

/// Validated paging parameters.
#[derive(Debug, Clone)]
pub struct Paging {
    pub index: u64,
    pub size: u64,
    pub sort: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Paging {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(q) = Query::<PageQuery>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::BadRequest(format!("bad query string: {e}")))?;
        Paging::from_query(q)
    }
}

fn number(name: &str, v: Option<&str>, default: u64) -> ApiResult<u64> {
    match v.map(str::trim) {
        None | Some("") => Ok(default),
        Some(s) => s
            .parse()
            .map_err(|_| ApiError::property(name, "must be a non-negative integer")),
    }
}

fn encode_token(index: u64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("rampart:{index}"))
}

fn decode_token(t: &str) -> Option<u64> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(t.trim_end_matches('='))
        .ok()?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix("rampart:")?
        .parse()
        .ok()
}

impl Paging {
    pub fn from_query(q: PageQuery) -> ApiResult<Self> {
        let size = number("size", q.size.as_deref(), DEFAULT_SIZE)?;
        if !(1..=MAX_SIZE).contains(&size) {
            return Err(ApiError::property(
                "size",
                format!("must be between 1 and {MAX_SIZE}"),
            ));
        }
        let mut index = number("index", q.index.as_deref(), 0)?;
        if let Some(t) = q.page_token.as_deref().filter(|t| !t.is_empty()) {
            index = decode_token(t).ok_or_else(|| {
                ApiError::property("page-token", "is not a token this server issued")
            })?;
        }
        // The store binds the row offset as a signed 64-bit integer.
        if index
            .checked_mul(size)
            .is_none_or(|offset| offset > i64::MAX as u64)
        {
            return Err(ApiError::property(
                "index",
                "is too large for this page size",
            ));
        }
        let sort = q.sort.filter(|s| !s.trim().is_empty());
        Ok(Self { index, size, sort })
    }

    /// The store request for `ty`, with the sort checked against its catalogue.
    pub fn request(&self, ty: ResourceType) -> ApiResult<ListRequest> {
        let sort = match &self.sort {
            Some(s) => rampart_query::parse_sort(ty, s).map_err(query_error)?,
            None => Vec::new(),
        };
        Ok(ListRequest {
            index: self.index,
            size: self.size,
            sort,
            filter: None,
        })
    }

    /// The envelope for one page of `total` items, with links to `path`.
    pub fn envelope<T>(&self, state: &AppState, path: &str, data: Vec<T>, total: u64) -> Page<T> {
        let pages = total.div_ceil(self.size);
        let link = |rel: &str, index: u64| {
            let mut href = format!("{}?index={index}&size={}", state.ias_url(path), self.size);
            if let Some(s) = &self.sort {
                href.push_str("&sort=");
                href.extend(url::form_urlencoded::byte_serialize(s.as_bytes()));
            }
            Link::new(rel, href)
        };
        let last = pages.saturating_sub(1);
        let mut links = vec![link("first", 0)];
        if self.index > 0 {
            links.push(link("previous", self.index.saturating_sub(1).min(last)));
        }
        links.push(Link::new("self", state.ias_url(path)));
        let has_next = self.index + 1 < pages;
        if has_next {
            links.push(link("next", self.index + 1));
        }
        links.push(link("last", last));
        Page {
            data,
            metadata: PageMetadata {
                index: self.index,
                size: self.size,
                sort: self.sort.clone(),
                total_data: total,
                total_pages: pages,
                page_token: has_next.then(|| encode_token(self.index + 1)),
            },
            links,
        }
    }
}

pub fn query_error(e: rampart_query::QueryError) -> ApiError {
    rampart_service::query_problem(e).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_garbage() {
        assert_eq!(decode_token(&encode_token(17)), Some(17));
        assert_eq!(decode_token("NDM0NTk0NTIyOjo6X1M6OjpiYW5hbmFz"), None);
    }

    #[test]
    fn size_bounds() {
        let q = |size: &str| PageQuery {
            size: Some(size.into()),
            ..Default::default()
        };
        assert!(Paging::from_query(q("1000")).is_ok());
        assert!(Paging::from_query(q("0")).is_err());
        assert!(Paging::from_query(q("1001")).is_err());
        assert!(Paging::from_query(q("x")).is_err());
    }
}
