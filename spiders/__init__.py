"""The press-room spiders (installed as `pressarchive.spiders`): navigation only.

One spider per platform, named after it (`mynewsdesk`, `viatt`, `sitevision`,
`cision`, `generic`), each a `base.PressroomSpider` that derives everything
from its source's start URL.
"""
