"""The bundled offline press rooms: one per platform, served on 127.0.0.1.

`corpus` holds the releases they publish, `server.DemoPressRooms` serves them,
and each platform's module (`mynewsdesk`, `viatt`, ...) renders its markup.
They are both the demo (`make demo`) and the fixtures of the end-to-end tests.
"""
