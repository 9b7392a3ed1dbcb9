"""A card image a person chose to keep with a case (issue 27). The image is PII: it is kept only when asked, and
then encrypted like the case's other PII (AES-256-GCM, the column's name bound as associated data), as base64 JPEG."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from emsync_desktop.store.models import Base
from emsync_desktop.store.types import EncryptedText, UtcDateTime


class CardImageRecord(Base):
    __tablename__ = "card_images"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    encounter_id: Mapped[str] = mapped_column(ForeignKey("encounters.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(36))
    width_px: Mapped[int] = mapped_column(Integer)
    height_px: Mapped[int] = mapped_column(Integer)
    image_jpeg_b64: Mapped[str] = mapped_column(EncryptedText("card_images.image_jpeg_b64"))
