"""REST plumbing every app's API shares (DRF): JSON pages or streamed CSV, strict parameters,
descriptions in the OpenAPI schema, throttling, and the /api/ URLs composed from each app's routes.

No feature lives here: impact/api/ serves the reports, portal/forums/api/ the forum.
"""
