"""Languages: translation catalogues, rendering text for a participant, understanding free text."""
