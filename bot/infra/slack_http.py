"""Slack's Web API over kept-open connections: slack_sdk's `WebClient` with urllib3's pool.

`WebClient` sends each call with `urllib.request.urlopen`, which opens a new connection
(a TCP and TLS handshake) per call and closes it after the answer. `PooledWebClient`
replaces only the step that performs one HTTP request (`_perform_urllib_http_request_internal`)
and the upload of a file's bytes (`_upload_file`); everything around them is slack_sdk's
own: the retry handlers and their rate-limit handling, `base_url` (SLACK_API_URL), the
timeout, the proxy (also from HTTPS_PROXY) and the `ssl` context (default: the system's
certificates, or SSL_CERT_FILE).

Failures keep the shapes urllib gives them, so what callers catch stays right:
- no connection could be made (refused, no such host, certificate refused): `URLError`, which
  slack_sdk's default ConnectionErrorRetryHandler retries once, on a new connection;
- a pooled connection the server has closed meanwhile is noticed before the request is
  written (urllib3 checks each one it takes from the pool) and replaced by a new one;
- the request went out and no answer came (timed out, or the connection was cut):
  `NoAnswer`, a TimeoutError, so nothing re-sends it blindly; the outbox looks whether
  Slack acted before sending again, as after any timeout.
"""

from __future__ import annotations

import functools
import io
import os
import threading
from collections.abc import Mapping
from http.client import HTTPMessage
from ssl import SSLCertVerificationError, SSLContext, create_default_context
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import Request

import urllib3
from slack_sdk import WebClient
from slack_sdk.errors import SlackRequestError
from slack_sdk.web.file_upload_v2_result import FileUploadV2Result
from slack_sdk.webhook import WebhookClient, WebhookResponse
from urllib3.exceptions import (
    NewConnectionError,
    ProtocolError,
    ProxyError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.exceptions import TimeoutError as PoolTimeoutError
from urllib3.util import parse_url

# Connections kept per host: Bolt's listener threads, the outbox's senders and the
# look-ups can all be in a call at once; beyond it a call opens one more and drops it.
DEFAULT_POOL_SIZE = 40


class NoAnswer(TimeoutError):
    """The request was sent (or partly sent) and no answer came: Slack may have acted.

    A TimeoutError (and so an OSError), as a timed-out answer is with urllib: callers
    that check whether Slack acted before sending again after a timeout do so here too."""


class PooledWebClient(WebClient):
    """A `WebClient` whose calls share kept-open connections (safe across threads)."""

    def __init__(self, *args: Any, pool_size: int = DEFAULT_POOL_SIZE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pool_size = pool_size
        self._pool_lock = threading.Lock()
        self._pool: urllib3.PoolManager | None = None
        self._pool_key: tuple[int, str | None, int] | None = None

    # ---- the pool

    def pool(self) -> urllib3.PoolManager:
        """The pool for the current process, proxy and ssl context (built on first use).

        Keyed by process id too: connections opened before a fork are not shared with it."""
        proxy = self.proxy if isinstance(self.proxy, str) and self.proxy.strip() else None
        key = (os.getpid(), proxy, id(self.ssl))
        pool = self._pool
        if pool is not None and self._pool_key == key:
            return pool
        with self._pool_lock:
            if self._pool is None or self._pool_key != key:
                if self._pool is not None and self._pool_key and self._pool_key[0] == key[0]:
                    self._pool.clear()
                context = self.ssl or create_default_context()
                options: dict[str, Any] = {
                    "maxsize": self.pool_size,
                    "ssl_context": context,
                    "retries": False,  # slack_sdk's retry handlers decide (see above)
                }
                self._pool = (
                    urllib3.ProxyManager(proxy, **options)
                    if proxy
                    else urllib3.PoolManager(**options)
                )
                self._pool_key = key
            return self._pool

    def close(self) -> None:
        """Close the kept-open connections (a later call opens new ones)."""
        with self._pool_lock:
            if self._pool is not None:
                self._pool.clear()
            self._pool, self._pool_key = None, None

    # ---- the two seams of slack_sdk's BaseClient

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        if not url.lower().startswith(("http://", "https://")):
            raise SlackRequestError(f"Invalid URL detected: {url}")
        headers = {name: str(value) for name, value in req.header_items()}
        status, reason, received, body = self._send(url, req.data, headers, float(self.timeout))
        if not 200 <= status < 300:
            # As urlopen does: slack_sdk reads status, headers and body from the HTTPError.
            raise HTTPError(url, status, reason, http_message(received), io.BytesIO(body))
        # What slack_sdk makes of an answer's headers is `dict(headers)`: each name once,
        # with its first value, as from urllib's HTTPMessage (built here only for an error).
        first = first_values(received)
        content_type, charset = content_of(first_value(received, "Content-Type"))
        if content_type == "application/gzip":  # admin.analytics.getFile
            return {"status": status, "headers": first, "body": body}
        return {"status": status, "headers": first, "body": body.decode(charset or "utf-8")}

    def _upload_file(
        self,
        *,
        url: str,
        data: bytes,
        logger: Any,
        timeout: int,
        proxy: str | None,
        ssl: SSLContext | None,
    ) -> FileUploadV2Result:
        """files_upload_v2's middle step: the file's bytes to the URL Slack issued."""
        status, reason, received, body = self._send(url, data, {}, float(timeout))
        if not 200 <= status < 300:
            raise HTTPError(url, status, reason, http_message(received), io.BytesIO(body))
        charset = content_of(first_value(received, "Content-Type"))[1] or "utf-8"
        return FileUploadV2Result(status=status, body=body.decode(charset))

    def _send(
        self, url: str, data: Any, headers: dict[str, str], timeout: float
    ) -> tuple[int, str, urllib3.HTTPHeaderDict, bytes]:
        """POST `data` to `url`: the status, reason, headers (as received: urllib3's) and
        body of the answer."""
        pool = self.pool()
        try:
            if isinstance(pool, urllib3.ProxyManager):
                response = pool.request(
                    "POST",
                    url,
                    body=data,
                    headers=headers,
                    timeout=timeouts(timeout),
                    redirect=False,
                )
            else:
                # What PoolManager.request does for an absolute URL without a proxy, less
                # the per-call parsing of the same few URLs and the copy of the headers.
                scheme, host, port, path = split_url(url)
                response = pool.connection_from_host(host, port=port, scheme=scheme).urlopen(
                    "POST",
                    path,
                    body=data,
                    headers=headers,
                    timeout=timeouts(timeout),
                    redirect=False,
                    assert_same_host=False,
                )
        except (NewConnectionError, ProxyError) as exc:
            # Nothing reached Slack: as urllib's URLError, which the retry handler retries.
            raise URLError(_cause(exc)) from exc
        except SSLError as exc:
            cause = _cause(exc)
            if isinstance(cause, SSLCertVerificationError):  # refused in the handshake
                raise URLError(cause) from exc
            # Other TLS failures may come after the request went out.
            raise NoAnswer(f"TLS failed before Slack answered: {cause}") from exc
        except PoolTimeoutError as exc:
            if not isinstance(exc, ReadTimeoutError):  # the connect timed out: nothing sent
                raise URLError(TimeoutError(str(exc))) from exc
            raise NoAnswer(f"no answer from Slack within {timeout:g}s") from exc
        except ProtocolError as exc:
            # Sent, maybe acted on: not re-sent here (the outbox looks first, exactly once).
            raise NoAnswer(f"connection lost before Slack answered: {_cause(exc)}") from exc
        return response.status, response.reason or "", response.headers, response.data


class PooledWebhookClient(WebhookClient):
    """slack_sdk's `WebhookClient` (a response_url: Bolt's `respond`, ephemeral replies)
    sending over a `PooledWebClient`'s kept-open connections, with the same failure shapes;
    its retry handlers, proxy and ssl context stay slack_sdk's."""

    def __init__(self, url: str, *, pooled: PooledWebClient, timeout: int = 30) -> None:
        super().__init__(url, timeout=timeout, ssl=pooled.ssl, proxy=pooled.proxy)
        self.pooled = pooled

    def _perform_http_request_internal(self, url: str, req: Request) -> WebhookResponse:
        if not url.lower().startswith(("http://", "https://")):
            raise SlackRequestError(f"Invalid URL detected: {url}")
        headers = {name: str(value) for name, value in req.header_items()}
        status, reason, received, body = self.pooled._send(
            url, req.data, headers, float(self.timeout)
        )
        message = http_message(received)
        if not 200 <= status < 300:
            raise HTTPError(url, status, reason, message, io.BytesIO(body))
        charset = message.get_content_charset() or "utf-8"
        return WebhookResponse(
            url=url,
            status_code=status,
            body=body.decode(charset),
            headers=message,  # type: ignore[arg-type]  # as slack_sdk passes urllib's
        )


def webhook_client(client: WebClient, url: str, *, timeout: int = 30) -> WebhookClient:
    """A client for a response_url: on `client`'s kept-open connections when it has them."""
    if isinstance(client, PooledWebClient):
        return PooledWebhookClient(url, pooled=client, timeout=timeout)
    return WebhookClient(url, timeout=timeout, ssl=client.ssl, proxy=client.proxy)


def http_message(received: Mapping[str, str]) -> HTTPMessage:
    """The headers as urllib gives them (what HTTPError and webhook responses carry)."""
    message = HTTPMessage()
    for name, value in received.items():
        message[name] = value
    return message


def first_values(received: urllib3.HTTPHeaderDict) -> dict[str, str]:
    """`dict(http_message(received))`: each name once, with its first value."""
    first: dict[str, str] = {}
    for name, value in received.items():
        first.setdefault(name, value)
    return first


def first_value(received: urllib3.HTTPHeaderDict, name: str) -> str | None:
    """The first value of a header, as `http_message(received)[name]`."""
    values = received.getlist(name)
    return values[0] if values else None


@functools.lru_cache(maxsize=64)
def content_of(content_type: str | None) -> tuple[str, str | None]:
    """The media type and charset of a Content-Type, read as urllib's HTTPMessage reads
    them (the same few values on every answer: read once each)."""
    message = HTTPMessage()
    if content_type is not None:
        message["Content-Type"] = content_type
    charset = message.get_content_charset()
    return message.get_content_type(), charset if isinstance(charset, str) else None


@functools.lru_cache(maxsize=64)
def split_url(url: str) -> tuple[str, str | None, int | None, str]:
    """Scheme, host, port and request target of a URL, as urllib3's PoolManager splits it
    (the same few URLs on every call: split once each)."""
    parsed = parse_url(url)
    return parsed.scheme or "http", parsed.host, parsed.port, parsed.request_uri


@functools.lru_cache(maxsize=16)
def timeouts(seconds: float) -> urllib3.Timeout:
    """The connect and read timeout (each call's pool copies it before use)."""
    return urllib3.Timeout(connect=seconds, read=seconds)


def _cause(exc: BaseException) -> BaseException:
    """The socket or TLS error under urllib3's wrapper, as urllib would have raised it."""
    for inner in (*getattr(exc, "args", ()), exc.__cause__, exc.__context__):
        if isinstance(inner, OSError):  # ssl.SSLError is one too
            return inner
    return exc
