"""A tiny, format-neutral document: headings, paragraphs, bullet lists and tables.

Minutes and transcripts are first laid out as a :class:`Document` (what to say), then written by
one renderer per file format (how to encode it: ODT, DOCX, PDF). Each renderer therefore only knows
four kinds of block, and a new format or a new document kind is one small module, not a product of
both.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    """A section title; level 1 is the document's title, 2 a section, 3 a sub-section."""

    text: str
    level: int = 2


@dataclass(frozen=True)
class Run:
    """A piece of a paragraph with its emphasis."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Paragraph:
    """A paragraph made of runs (plain text is one plain run)."""

    runs: tuple[Run, ...]

    @classmethod
    def of(cls, text: str, *, bold: bool = False, italic: bool = False) -> Paragraph:
        return cls((Run(text, bold=bold, italic=italic),))

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class BulletList:
    """An unordered list; each item is a paragraph so it may carry emphasis."""

    items: tuple[Paragraph, ...]


@dataclass(frozen=True)
class Table:
    """A table with a header row; cells are plain text."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Block = Heading | Paragraph | BulletList | Table


@dataclass
class Document:
    """An ordered list of blocks plus the metadata word processors show in "Properties"."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    subject: str = ""
    language: str = "fr-FR"

    def heading(self, text: str, level: int = 2) -> None:
        self.blocks.append(Heading(text, level))

    def paragraph(self, *runs: Run | str) -> None:
        self.blocks.append(Paragraph(tuple(Run(r) if isinstance(r, str) else r for r in runs)))

    def bullets(self, items: list[Paragraph | str]) -> None:
        if items:
            self.blocks.append(
                BulletList(tuple(Paragraph.of(i) if isinstance(i, str) else i for i in items))
            )

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        if rows:
            self.blocks.append(Table(tuple(header), tuple(tuple(r) for r in rows)))

    def plain_text(self) -> str:
        """Every word of the document, one block a line (for tests and search indexing)."""
        lines: list[str] = []
        for block in self.blocks:
            if isinstance(block, Heading | Paragraph):
                lines.append(block.text)
            elif isinstance(block, BulletList):
                lines.extend(f"- {item.text}" for item in block.items)
            else:
                lines.append(" | ".join(block.header))
                lines.extend(" | ".join(row) for row in block.rows)
        return "\n".join(lines)
