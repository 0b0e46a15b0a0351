"""Moving a case between laptops as an encrypted case bundle (``.mappa-case``).

``container``: the encryption (Argon2id, AES-256-GCM in chunks); ``format``: the records,
manifest and seal inside; ``compare``: what differs between a bundle and this store;
``exchange``: the use cases (export, open, preview, import) shared by the window and the
command line. The format is specified in ``docs/case-bundle.md``.
"""
