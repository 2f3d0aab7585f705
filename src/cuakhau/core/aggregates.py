"""Aggregates that give the same answer on SQLite and PostgreSQL for every value a column takes."""

from django.db.models import DecimalField, Sum


class Total(Sum):
    """``Sum`` of a decimal column whose rows can together pass 2**63.

    SQLite stores a whole decimal ("999999999999999000" đồng) as a 64-bit integer and its
    ``SUM`` of integers stops with "integer overflow": ten aid projects of that size took the
    cooperation pages down for everyone. Summed as reals there, it never overflows (exact up
    to 2**53, rounded to 15 significant digits beyond, as SQLite reads decimals anyway);
    PostgreSQL sums ``numeric`` exactly. A decimal result may have more digits than one row:
    it is read with room for them.
    """

    def _resolve_output_field(self):
        field = super()._resolve_output_field()
        if isinstance(field, DecimalField):
            return DecimalField(max_digits=38, decimal_places=field.decimal_places)
        return field

    def as_sqlite(self, compiler, connection, **extra_context):
        if not isinstance(self.output_field, DecimalField):
            # A count of trucks stays a whole number (a real would come back as 5.0).
            return super().as_sql(compiler, connection, **extra_context)
        return super().as_sql(
            compiler,
            connection,
            template="%(function)s(%(distinct)sCAST(%(expressions)s AS REAL))",
            **extra_context,
        )
