"""Run a multi-statement SQL file inside the migration's transaction."""

from pathlib import Path

from fablab.platform.db import DB


async def run_sql_file(path: Path) -> None:
    sql = path.read_text(encoding="utf-8")
    transaction = DB.current_transaction.get()
    # asyncpg's execute() without arguments uses the simple query protocol, which accepts
    # several statements; Piccolo's run_ddl() prepares them, which does not.
    if transaction is not None:
        await transaction.connection.execute(sql)
        return
    connection = await DB.get_new_connection()
    try:
        await connection.execute(sql)
    finally:
        await connection.close()
