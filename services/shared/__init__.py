"""Pure helpers shared by the domain folders: USCC validation and table import/export."""
