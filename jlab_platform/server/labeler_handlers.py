"""The labeling page and its API, for invited people who have no Jupyter login.

Jupyter's login is not asked for (``auth="labeler"``): every API request is
authenticated here by the invite token in the ``X-Labeler-Token`` header, which is
checked against its stored hash in constant time before the request's body is read, and
addresses that send too many invalid tokens are refused for a while. The token travels in
the link's ``#fragment``, which browsers never send to the server, so it appears in no
request line and no log.
The API names samples only by their id: no path from a request reaches the file system,
and a token reaches nothing but the selected samples of its own task.
"""

import asyncio
import secrets
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin

from ..crowd import CrowdService
from ..crowd.identity import Identity
from ..crowd.models import LabelingAnswer, NextRequest, Session, SkipRequest, Submission
from ..crowd.samples import content_type
from ..crowd.tokens import TokenRejected, TooManyGuesses
from ..errors import AuthenticationFailed, NotFound
from ..i18n import translate
from ..platform import Platform
from .base import ApiHandler
from .endpoint import endpoint
from .ui_catalog import page_translations, script_json

LABEL_PREFIX = "jlab-platform/label"
TOKEN_HEADER = "X-Labeler-Token"
# The page in full: its translations go in once, a nonce per response.
_PAGE = (
    (Path(__file__).resolve().parent.parent / "crowd" / "label_page.html")
    .read_text(encoding="utf-8")
    .replace("__TRANSLATIONS__", script_json(page_translations()))
)
_CHUNK = 256 * 1024
T = TypeVar("T")


class LabelPageHandler(ExtensionHandlerMixin, JupyterHandler):
    """The page itself: static, no user data inside (it fetches everything as JSON)."""

    @property
    def nonce(self) -> str:
        # Made on first use: tornado asks for the headers (CSP included) before prepare().
        if not hasattr(self, "_nonce"):
            self._nonce = secrets.token_urlsafe(16)
        return self._nonce

    @property
    def content_security_policy(self) -> str:
        return (
            "default-src 'none'; "
            f"script-src 'nonce-{self.nonce}'; style-src 'nonce-{self.nonce}'; "
            "img-src blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
        )

    @endpoint("The labeling page (its link's #fragment carries the token)", auth="none", raw="text/html")
    async def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(_PAGE.replace("__NONCE__", self.nonce))


class LabelerApiHandler(ApiHandler):
    max_body_bytes = 16 * 1024  # a label, a sample id and a request id

    # XSRF protection guards requests a browser authenticates on its own, with cookies.
    # This API authenticates only by the token header, which a page on another site can
    # neither read nor make a browser send (a custom header needs a CORS preflight that
    # this server never grants), so a forged request arrives without credentials.
    def check_xsrf_cookie(self) -> None:
        return None

    @property
    def crowd(self) -> CrowdService:
        platform: Platform = self.settings["jlab_platform"]
        return platform.crowd

    async def prepare(self) -> None:  # type: ignore[override]  # as jupyter_server's APIHandler
        await super().prepare()
        self.set_header("Cache-Control", "no-store")
        self.set_header("Referrer-Policy", "no-referrer")
        # Before the body is read: a request without an invitation costs no more than its headers.
        try:
            await self.crowd.gate.admit(self._token(), self._address())
        except TooManyGuesses as exc:
            self.set_header("Retry-After", str(int(exc.wait) + 1))
            self.send_json(
                {
                    "error": "Too many invalid labeling links from this address",
                    "detail": f"Try again in {int(exc.wait) + 1} seconds with the link you were sent.",
                },
                429,
            )
        except TokenRejected as exc:
            raise _rejected(exc) from None

    async def run(self, action: Callable[..., "Future[T]"], *args: Any) -> T:
        """Await ``action(identity, *args)`` (a labeling call), which resolves the token again."""
        try:
            answer = await asyncio.wrap_future(action(Identity.invited(self._token()), *args))
        except TokenRejected as exc:
            self.crowd.gate.forget(self._token())
            raise _rejected(exc) from None
        # Why there is no work is shown on the page: in the labeler's language.
        if isinstance(answer, Session | LabelingAnswer) and answer.waiting:
            answer.waiting = translate(answer.waiting, self.error_locale())
        return answer

    def _token(self) -> str:
        return self.request.headers.get(TOKEN_HEADER, "")

    def _address(self) -> str:
        return self.request.remote_ip or "unknown"


class SessionHandler(LabelerApiHandler):
    @endpoint(
        "The labeler's task, their progress and whether there is work", auth="labeler", response=Session
    )
    async def get(self) -> Session:
        return await self.run(self.crowd.labeling.overview)


class NextHandler(LabelerApiHandler):
    @endpoint(
        "Samples to label (held for this labeler)", auth="labeler", body=NextRequest, response=LabelingAnswer
    )
    async def post(self, body: NextRequest) -> LabelingAnswer:
        return await self.run(self.crowd.labeling.next, body.prefetch)


class SubmitHandler(LabelerApiHandler):
    @endpoint(
        "Label a sample; the next samples come back", auth="labeler", body=Submission, response=LabelingAnswer
    )
    async def post(self, body: Submission) -> LabelingAnswer:
        engine = self.crowd.labeling
        return await self.run(engine.submit, body.sample_id, body.label, body.request_id, body.prefetch)


class SkipHandler(LabelerApiHandler):
    @endpoint(
        "Skip a sample (others may label it)", auth="labeler", body=SkipRequest, response=LabelingAnswer
    )
    async def post(self, body: SkipRequest) -> LabelingAnswer:
        return await self.run(self.crowd.labeling.skip, body.sample_id, body.prefetch)


class UndoHandler(LabelerApiHandler):
    @endpoint(
        "Take back this labeler's last label", auth="labeler", body=NextRequest, response=LabelingAnswer
    )
    async def post(self, body: NextRequest) -> LabelingAnswer:
        return await self.run(self.crowd.labeling.undo, body.prefetch)


class ImageHandler(LabelerApiHandler):
    @endpoint("A held sample's image", auth="labeler", raw="image/*")
    async def get(self, sample_id: str) -> None:
        dataset, sample = await self.run(self.crowd.labeling.image, sample_id)
        await stream_sample(self, dataset, sample)


def _rejected(exc: TokenRejected) -> AuthenticationFailed:
    return AuthenticationFailed(exc.reason, "Ask the task's owner for a new labeling link.")


async def stream_sample(handler: ApiHandler, dataset: str, sample: str) -> None:
    """Send one selected sample's image; both names come from the store, never from the request."""
    paths = handler.platform.paths
    folder = paths.resolve(dataset, must_exist=True)
    path = paths.resolve(f"{dataset}/{sample}" if dataset else sample)
    if not path.is_file() or folder not in path.parents:
        raise NotFound(f"The image of sample {sample!r} is gone", "It was moved or deleted from the dataset.")
    handler.set_header("Content-Type", content_type(sample))
    handler.set_header("X-Content-Type-Options", "nosniff")
    handler.set_header("Cache-Control", "private, max-age=3600")
    with open(path, "rb") as image:
        while block := image.read(_CHUNK):
            handler.write(block)
            await handler.flush()
    handler.finish()


_API = f"{LABEL_PREFIX}/api"
LABELER_ROUTES: list[tuple[str, Any]] = [
    (LABEL_PREFIX, LabelPageHandler),
    (f"{_API}/session", SessionHandler),
    (f"{_API}/next", NextHandler),
    (f"{_API}/labels", SubmitHandler),
    (f"{_API}/skip", SkipHandler),
    (f"{_API}/undo", UndoHandler),
    (rf"{_API}/samples/(?P<sample_id>[A-Za-z0-9]{{1,32}})/image", ImageHandler),
]
