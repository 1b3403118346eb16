"""The forum's REST endpoints, /api/v1/questions/ and /api/v1/meetings/: public questions with their
official answers, and meetings with their docket. portal/urls.py composes ``urls.routes`` with the
reports' under /api/v1/; the shared plumbing is portal/core/api/.
"""
