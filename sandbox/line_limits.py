"""The limits LINE documents for what a bot sends, in one list beside LINE's OpenAPI files.

Some of them are in `line_openapi/messaging-api.yml` too (five messages a call, 300
characters of postback data, 13 quick reply items); others only in LINE's reference pages
(a 20-character action label, a 5,000-character text). The stand-in (`sandbox.lineapi`)
refuses a request that breaks any of them with LINE's 400, and the contract tests check
each one. Lengths are counted in UTF-16 code units, the stricter of the two ways LINE's
pages can be read for Thai and emoji, so that a bot which passes here passes on LINE.
"""

from dataclasses import dataclass

REFERENCE = "https://developers.line.biz/en/reference/messaging-api/"


@dataclass(frozen=True)
class Limit:
    """At most `maximum` characters (a string) or items (a list) in `owner`'s `prop`.

    `owner` names the object that holds the property: `request`, `message:<type>`,
    `template:<type>`, `flex:carousel`, `quickReply`, `action` (any action: in a quick
    reply, a template or a flex message) or `richmenu`."""

    owner: str
    prop: str
    maximum: int
    minimum: int = 0
    anchor: str = ""  # where in LINE's reference it is documented


LIMITS = (
    Limit("request", "messages", 5, minimum=1, anchor="send-reply-message"),
    Limit("message:text", "text", 5000, minimum=1, anchor="text-message"),
    Limit("message:template", "altText", 1500, minimum=1, anchor="template-messages"),
    Limit("message:flex", "altText", 1500, minimum=1, anchor="flex-message"),
    Limit("template:buttons", "text", 160, minimum=1, anchor="buttons"),
    Limit("template:buttons", "title", 40, anchor="buttons"),
    Limit("template:buttons", "actions", 4, minimum=1, anchor="buttons"),
    Limit("template:confirm", "text", 240, minimum=1, anchor="confirm"),
    Limit("template:confirm", "actions", 2, minimum=2, anchor="confirm"),
    Limit("flex:carousel", "contents", 12, minimum=1, anchor="f-carousel"),
    Limit("quickReply", "items", 13, minimum=1, anchor="items-object"),
    Limit("action", "label", 20, anchor="action-objects"),
    Limit("action", "data", 300, anchor="postback-action"),
    Limit("action", "displayText", 300, anchor="postback-action"),
    Limit("action", "text", 300, anchor="message-action"),
    Limit("action", "uri", 1000, anchor="uri-action"),
    Limit("richmenu", "name", 300, minimum=1, anchor="rich-menu-object"),
    Limit("richmenu", "chatBarText", 14, minimum=1, anchor="rich-menu-object"),
    Limit("richmenu", "areas", 20, minimum=1, anchor="rich-menu-object"),
)

BY_OWNER: dict[tuple[str, str], Limit] = {(limit.owner, limit.prop): limit for limit in LIMITS}
