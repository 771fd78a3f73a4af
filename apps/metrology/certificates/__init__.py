"""Certificates: issuance, management, void and public verification (#12).

The PDF toolkit lives in :mod:`metrology.certificates.pdf`; it has no Django models.
"""
