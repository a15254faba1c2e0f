"""ModelArts' top-level ``log`` module (``import log; logger = log.getLogger(__name__)``)."""

import logging

getLogger = logging.getLogger
