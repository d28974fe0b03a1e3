"""Files: pickling (``_pickling``), the pickle-free ``.skf`` format
(``_skf``, and its first version ``_skf_v1``), its JSON codec and
safe zip reading."""
