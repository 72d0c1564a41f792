"""The front page for visitors and the home page of each kind of organisation."""

from flask import Blueprint

bp = Blueprint("home", __name__)
